// The items of the "which repository?" pick of Find Commit Matching narHash (no vscode import, so
// it is unit-tested): one row per candidate the server proposes (nixboot/lock/checkouts), labelled
// with its path and why it matched, then "Browse…". The row that starts active: the one strong
// candidate when there is exactly one (the user still confirms it with Enter), else the first.
import type { LockCheckoutsRequest } from '../../../server/src/protocol';

export type Candidate = LockCheckoutsRequest.Result['candidates'][number];

export interface CheckoutItem {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  /** The repository to search; undefined for "Browse…". */
  readonly repo?: string;
  readonly alwaysShow?: boolean;
}

export const BROWSE_LABEL = '$(folder-opened) Browse…';

const MATCH_TEXT: Record<Candidate['match'], string> = {
  locked: 'named by the flake.lock',
  remote: 'remote is the input’s repository',
  fork: 'fork or mirror',
  name: 'same name',
};

export interface CheckoutPick {
  readonly items: CheckoutItem[];
  /** Index in `items` of the row active when the pick opens. */
  readonly active: number;
  readonly placeholder: string;
}

export function checkoutPick(input: string, candidates: readonly Candidate[]): CheckoutPick {
  const items: CheckoutItem[] = candidates.map((c) => ({
    label: c.path,
    description: c.strong ? `$(star-full) ${MATCH_TEXT[c.match]}` : MATCH_TEXT[c.match],
    detail: c.reasons.join('; '),
    repo: c.path,
  }));
  items.push({
    label: BROWSE_LABEL,
    detail: 'Choose another folder that holds a git repository',
    alwaysShow: true,
  });
  const strong = candidates.flatMap((c, i) => (c.strong ? [i] : []));
  const placeholder =
    strong.length === 1
      ? `Enter searches the starred repository for '${input}'; or choose another, or Browse…`
      : `Which git repository holds the history of '${input}'?`;
  return { items, active: strong.length === 1 ? strong[0]! : 0, placeholder };
}
