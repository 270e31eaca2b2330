/**
 * The one way the dashboard builds DOM. Text only ever goes in through `textContent`: transcripts,
 * caller numbers and SIP Call-IDs come from the network and must never be parsed as HTML.
 */
export interface ElementProps {
  readonly className?: string;
  /** Stable selector for tests: `data-testid`. */
  readonly testId?: string;
  readonly text?: string;
  /** Plain attributes (`href`, `data-*`, `title`, ...), set with setAttribute. */
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: (Node | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className !== undefined) node.className = props.className;
  if (props.testId !== undefined) node.dataset['testid'] = props.testId;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Looks up an element the page must have; a missing one is a bug in index.html. */
export function required<T extends HTMLElement>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (found === null) throw new Error(`dashboard: ${selector} is missing from the page`);
  return found;
}
