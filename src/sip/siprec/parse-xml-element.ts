/*
 * A small, safe XML reader for recording metadata on top of fast-xml-parser:
 *
 * - input is bounded (default 64 KiB) and must be UTF-8;
 * - a DOCTYPE is refused outright, so no entity is ever defined, let alone expanded: only the five
 *   predefined entities and character references are decoded (XML 1.0 §4.6, §4.1), by us, once;
 * - well-formedness is checked by fast-xml-parser's validator, whose line/column we turn into a
 *   byte offset for ParseError;
 * - element and attribute names are reduced to their local names, so `<apkt:ucid>` is `ucid`
 *   whatever prefix a vendor binds. Namespace URIs are kept on each element for callers that care.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ParseError } from '../../core/index.js';

/** One element: local names only, text of direct children joined and trimmed. */
export interface XmlElement {
  /** Local name, e.g. `participant` for `<rec:participant>`. */
  readonly name: string;
  /** Namespace URI bound to the element's prefix (or the default namespace), or null. */
  readonly namespace: string | null;
  /** Attributes by local name (`xml:lang` is `lang`); xmlns declarations are not included. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Character data directly inside this element, entities decoded, trimmed. */
  readonly text: string;
  /** Byte offset of the element's start tag in the parsed input (plus the caller's base). */
  readonly offset: number;
}

export interface ParseXmlOptions {
  /** Documents longer than this many bytes are refused. Default 65536. */
  readonly maxBytes?: number;
  /** Added to every error and element offset (e.g. where the XML part starts in a SIP body). */
  readonly baseOffset?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024;
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 4096;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // Entities are decoded by decodeEntities below, after a DOCTYPE has been refused.
  processEntities: false,
  htmlEntities: false,
  captureMetaData: true,
  maxNestedTags: MAX_DEPTH,
});
// The typings declare the boxed Symbol type; at run time it is a symbol primitive.
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

type RawNode = Record<string, unknown>;

/** Parses a whole XML document and returns its root element. Throws only ParseError. */
export function parseXmlElement(input: Uint8Array, options: ParseXmlOptions = {}): XmlElement {
  const base = options.baseOffset ?? 0;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (input.length > maxBytes) {
    throw new ParseError(`XML document larger than ${maxBytes} bytes`, base + maxBytes);
  }
  let text: string;
  try {
    text = decoder.decode(input);
  } catch (cause) {
    throw new ParseError('XML document is not valid UTF-8', base, { cause });
  }
  const byteOffset = byteOffsets(input, text, base);

  const doctype = text.search(/<!DOCTYPE|<!ENTITY/i);
  if (doctype >= 0) {
    throw new ParseError('XML DOCTYPE and entity declarations are not accepted', byteOffset(doctype));
  }
  let raw: unknown;
  try {
    const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
    if (valid !== true) {
      const { line, col, msg } = valid.err;
      throw new ParseError(`malformed XML: ${msg}`, byteOffset(charIndexOf(text, line, col)));
    }
    raw = parser.parse(text);
  } catch (cause) {
    if (cause instanceof ParseError) throw cause;
    throw new ParseError('malformed XML', base, { cause });
  }
  const roots = Array.isArray(raw) ? (raw as unknown[]).filter(isElementNode) : [];
  const root = roots[0];
  if (root === undefined || roots.length !== 1) {
    throw new ParseError('XML document needs exactly one root element', base);
  }
  const budget = { elements: 0 };
  return toElement(root, new Map(), byteOffset, budget, 0);
}

function isElementNode(node: unknown): node is RawNode {
  return typeof node === 'object' && node !== null && elementKey(node as RawNode) !== undefined;
}

function elementKey(node: RawNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}

function toElement(
  node: RawNode,
  inherited: ReadonlyMap<string, string>,
  byteOffset: (charIndex: number) => number,
  budget: { elements: number },
  depth: number,
): XmlElement {
  const qname = elementKey(node) ?? '';
  const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META];
  const offset = byteOffset(meta?.startIndex ?? 0);
  budget.elements++;
  if (budget.elements > MAX_ELEMENTS || depth > MAX_DEPTH) {
    throw new ParseError('XML document has too many elements', offset);
  }
  const rawAttributes = (node[':@'] ?? {}) as Record<string, unknown>;
  const scope = new Map(inherited);
  const attributes = new Map<string, string>();
  for (const [name, value] of Object.entries(rawAttributes)) {
    const decoded = decodeEntities(String(value));
    if (name === 'xmlns') scope.set('', decoded);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), decoded);
    else attributes.set(localName(name), decoded);
  }
  const prefixEnd = qname.indexOf(':');
  const prefix = prefixEnd > 0 ? qname.slice(0, prefixEnd) : '';
  const content = Array.isArray(node[qname]) ? (node[qname] as unknown[]) : [];
  const children: XmlElement[] = [];
  let text = '';
  for (const child of content) {
    if (typeof child !== 'object' || child === null) continue;
    const childNode = child as RawNode;
    if ('#text' in childNode && elementKey(childNode) === undefined) {
      text += String(childNode['#text']);
    } else if (elementKey(childNode) !== undefined) {
      children.push(toElement(childNode, scope, byteOffset, budget, depth + 1));
    }
  }
  return {
    name: localName(qname),
    namespace: scope.get(prefix) ?? null,
    attributes,
    children,
    text: decodeEntities(text).trim(),
    offset,
  };
}

/**
 * Maps a character index of the decoded text to a byte offset of the input. ASCII text maps
 * one to one; otherwise a table built once keeps the cost linear in the document size.
 */
function byteOffsets(input: Uint8Array, text: string, base: number): (charIndex: number) => number {
  // The decoder drops a UTF-8 byte order mark; offsets still count its three bytes.
  const bom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  if (input.length - bom === text.length) {
    return (charIndex) => base + bom + clampIndex(charIndex, text.length);
  }
  let table: Uint32Array | null = null;
  return (charIndex) => {
    if (table === null) {
      table = new Uint32Array(text.length + 1);
      let bytes = bom;
      for (let i = 0; i < text.length; i++) {
        table[i] = bytes;
        const code = text.charCodeAt(i);
        // UTF-16 surrogate pairs are one 4-byte character: 2 bytes per half.
        bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3;
      }
      table[text.length] = bytes;
    }
    return base + (table[clampIndex(charIndex, text.length)] ?? 0);
  };
}

function clampIndex(index: number, length: number): number {
  return Number.isFinite(index) ? Math.min(Math.max(0, Math.trunc(index)), length) : 0;
}

function localName(qname: string): string {
  const colon = qname.lastIndexOf(':');
  return colon >= 0 ? qname.slice(colon + 1) : qname;
}

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['apos', "'"],
  ['quot', '"'],
]);

/** XML 1.0 §4.6 predefined entities and §4.1 character references; anything else stays as is. */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      return allowed ? String.fromCodePoint(code) : '\ufffd';
    }
    return PREDEFINED.get(ref) ?? whole;
  });
}

function charIndexOf(text: string, line: number, col: number): number {
  // The validator leaves line and column out for some errors (an empty document).
  if (!Number.isFinite(line) || !Number.isFinite(col)) return 0;
  let index = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', index);
    if (next < 0) return text.length;
    index = next + 1;
  }
  return Math.min(text.length, index + Math.max(0, col - 1));
}

/** Child elements called `name` (local name, case-insensitive). */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  const wanted = name.toLowerCase();
  return element.children.filter((c) => c.name.toLowerCase() === wanted);
}

/** Text of the first child called `name`, or null when absent or empty. */
export function childText(element: XmlElement, name: string): string | null {
  const text = childrenNamed(element, name)[0]?.text;
  return text === undefined || text === '' ? null : text;
}
