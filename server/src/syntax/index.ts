// The Nix syntax engine: parse(text) -> { root, errors }, never throws.
export { parse } from './parser';
export { staticString } from './decode';
export { printTree, debugTree } from './print';
export type * from './tree';
