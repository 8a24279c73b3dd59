// "Inspect Initrd": asks the server (nixboot/initrd/inspect) and shows the result as the
// initrd report (client/src/reports/kinds/initrdInspect.ts: segments, treemap, largest files).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../context';
import { InitrdInspectRequest } from '../../../server/src/protocol';
import { initrdInspect } from '../reports/kinds';
import { reports } from '../reports/panel';
import { withProgress } from '../requests';

export async function openInspector(ctx: Ctx, file: string): Promise<void> {
  let r: InitrdInspectRequest.Result | undefined;
  try {
    r = await withProgress(ctx.client, `Inspecting ${path.basename(file)}`, InitrdInspectRequest, { file });
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot inspect ${file}: ${(e as Error).message}`);
    return;
  }
  if (r) reports(ctx).show(initrdInspect, r);
}
