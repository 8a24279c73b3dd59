// Minimal typings for the parts of mvdan-sh (the GopherJS build of mvdan/sh, the parser behind
// shfmt) that nixboot uses. Offsets reported by Pos()/End() are UTF-8 byte offsets.
declare module 'mvdan-sh' {
  export interface Pos {
    Offset(): number;
    Line(): number;
    Col(): number;
  }
  export interface Node {
    Pos(): Pos;
    End(): Pos;
    // GopherJS objects: fields differ per node type and are read by name (shell/analyze.ts).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [key: string]: any;
  }
  export interface Parser {
    Parse(src: string, name: string): Node;
  }
  // An opaque option made by KeepComments() or Variant(), only ever handed back to NewParser().
  const parserOption: unique symbol;
  export interface ParserOption {
    readonly [parserOption]: true;
  }
  export const syntax: {
    NewParser(...opts: ParserOption[]): Parser;
    KeepComments(keep: boolean): ParserOption;
    Variant(lang: unknown): ParserOption;
    LangBash: unknown;
    LangPOSIX: unknown;
    NodeType(n: Node): string;
    Walk(n: Node, f: (n: Node | null) => boolean): void;
  };
  const sh: { syntax: typeof syntax };
  export default sh;
}
