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
    [key: string]: any;
  }
  export interface Parser {
    Parse(src: string, name: string): Node;
  }
  export interface ParserOption {}
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
