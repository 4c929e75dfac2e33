/**
 * Headers: an ordered multimap of header fields (RFC 3261 7.3). Names are case-insensitive
 * and compact forms map to their long names. Each field keeps the text of its line as
 * received (folding included) until it is modified, so serialization is byte-exact.
 */
import { headerKey, isListHeader } from "./header_names.ts";
import { isToken, splitList, trimLws } from "./_scan.ts";

/** One header field line. Internal to the message layer. */
export interface HeaderField {
  /** Name as written ("v", "VIA", "Via"). */
  name: string;
  /** Canonical key: lower case long name. */
  key: string;
  /** Value with folding joined and surrounding whitespace trimmed. */
  value: string;
  /** Whole line as received, without its CRLF; undefined once modified. */
  raw?: string;
  /** Cached split of `value` for list headers. */
  values?: string[];
}

// Friend access for the parser and serializer of this directory (not re-exported).
let fromFields: (fields: HeaderField[]) => Headers;
let fieldsOf: (headers: Headers) => HeaderField[];
let seed: (headers: Headers, key: string, parse: unknown, values: unknown[]) => void;

function checkField(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`Invalid header name "${name}"`);
  if (/[\r\n]/.test(value)) throw new TypeError(`Invalid value for header ${name}: CR or LF`);
}

/** A typed view: the values of header `key` parsed by `parse`. */
interface TypedView {
  readonly key: string;
  readonly parse: unknown;
  readonly values: unknown[];
}

/** Ordered, case-insensitive multimap of SIP header fields. */
export class Headers {
  #fields: HeaderField[] = [];
  /**
   * Typed views, a handful per message: a short array is smaller than a Map and cheaper to
   * copy. Entries are replaced, never modified (copies share them).
   */
  #views: TypedView[] | undefined;

  static {
    fromFields = (fields) => {
      const h = new Headers();
      h.#fields = fields;
      return h;
    };
    fieldsOf = (h) => h.#fields;
    seed = (h, key, parse, values) => {
      h.#setView({ key, parse, values });
    };
  }

  /** Builds headers from `[name, value]` pairs, in order. */
  constructor(init?: Iterable<[string, string]>) {
    if (init) { for (const [n, v] of init) this.append(n, v); }
  }

  #valuesOf(f: HeaderField): string[] {
    if (f.values === undefined) f.values = isListHeader(f.key) ? splitList(f.value) : [f.value];
    return f.values;
  }

  #changed(key: string): void {
    const i = this.#viewIndex(key);
    if (i >= 0) this.#views!.splice(i, 1);
  }

  #viewIndex(key: string): number {
    const views = this.#views;
    if (views === undefined) return -1;
    for (let i = 0; i < views.length; i++) if (views[i].key === key) return i;
    return -1;
  }

  #setView(view: TypedView): void {
    const i = this.#viewIndex(view.key);
    if (i >= 0) this.#views![i] = view;
    else (this.#views ??= []).push(view);
  }

  /** First value of the header (comma-split for list headers), or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.#fields) {
      if (f.key !== key) continue;
      const vs = this.#valuesOf(f);
      if (vs.length > 0) return vs[0];
    }
    return undefined;
  }

  /** Every value of the header in order; list headers split outside quotes and <>. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.#fields) {
      if (f.key === key) { for (const v of this.#valuesOf(f)) out.push(v); }
    }
    return out;
  }

  /** Number of field lines of that header (not of values). */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.#fields) if (f.key === key) n++;
    return n;
  }

  /** True when at least one field of that header exists. */
  has(name: string): boolean {
    const key = headerKey(name);
    for (const f of this.#fields) if (f.key === key) return true;
    return false;
  }

  /** Replaces every field of that header by one field, at the place of the first. */
  set(name: string, value: string): void {
    checkField(name, value);
    const key = headerKey(name);
    const field: HeaderField = { name, key, value: trimLws(value) };
    const fields = this.#fields;
    let first = 0;
    while (first < fields.length && fields[first].key !== key) first++;
    if (first === fields.length) fields.push(field);
    else {
      fields[first] = field;
      let more = false;
      for (let i = first + 1; i < fields.length && !more; i++) more = fields[i].key === key;
      if (more) this.#fields = fields.filter((f, i) => i <= first || f.key !== key);
    }
    this.#changed(key);
  }

  /** Adds a field after the last one. */
  append(name: string, value: string): void {
    checkField(name, value);
    const key = headerKey(name);
    this.#fields.push({ name, key, value: trimLws(value) });
    this.#changed(key);
  }

  /** Adds a field at the top of the header section (new Via, Record-Route). */
  prepend(name: string, value: string): void {
    checkField(name, value);
    const key = headerKey(name);
    this.#fields.unshift({ name, key, value: trimLws(value) });
    this.#changed(key);
  }

  /**
   * Removes and returns the first value (topmost Via or Route); the other values of the same
   * field line stay.
   */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    for (let i = 0; i < this.#fields.length; i++) {
      const f = this.#fields[i];
      if (f.key !== key) continue;
      const vs = this.#valuesOf(f);
      if (vs.length === 0) continue;
      this.#changed(key);
      const first = vs[0];
      if (vs.length === 1) this.#fields.splice(i, 1);
      else {
        const rest = vs.slice(1);
        this.#fields[i] = { name: f.name, key, value: rest.join(", "), values: rest };
      }
      return first;
    }
    return undefined;
  }

  /** Removes every field of that header. */
  delete(name: string): void {
    const key = headerKey(name);
    this.#fields = this.#fields.filter((f) => f.key !== key);
    this.#changed(key);
  }

  /** One `[name as written, value]` per field line, in order. */
  *entries(): Iterable<[name: string, value: string]> {
    for (const f of this.#fields) yield [f.name, f.value];
  }

  /** Appends copies of `other`'s fields of that header, raw text kept (byte-exact). */
  copyFrom(other: Headers, name: string): void {
    const key = headerKey(name);
    for (const f of other.#fields) if (f.key === key) this.#fields.push({ ...f });
    this.#changed(key);
  }

  /**
   * A copy with the fields grouped by name in order of first appearance (the order of the
   * fields of one name is kept, all that RFC 3261 7.3.1 makes significant), raw text kept
   * (byte-exact). Typed views come along: their parsed values are then shared by both
   * Headers, read-only as {@linkcode typed} asks, until either side changes that header.
   */
  groupedCopy(): Headers {
    const copy = new Headers();
    // Field objects are never modified once stored (changes replace them): shared too.
    const fields = this.#fields;
    const out = copy.#fields;
    const n = fields.length;
    let done: Set<string> | undefined;
    for (let i = 0; i < n; i++) {
      const key = fields[i].key;
      if (done !== undefined && done.has(key)) continue;
      out.push(fields[i]);
      let more = false;
      for (let j = i + 1; j < n; j++) {
        if (fields[j].key === key) {
          out.push(fields[j]);
          more = true;
        }
      }
      if (more) (done ??= new Set()).add(key);
    }
    if (this.#views !== undefined) copy.#views = this.#views.slice();
    return copy;
  }

  /**
   * Typed view: every value of the header parsed by `parse`, cached until the header is
   * modified. Treat the results as read-only (format and `set` to change a header).
   */
  typed<T>(name: string, parse: (value: string) => T): T[] {
    const key = headerKey(name);
    const i = this.#viewIndex(key);
    if (i >= 0 && this.#views![i].parse === parse) return this.#views![i].values as T[];
    const values = this.getAll(key).map(parse);
    this.#setView({ key, parse, values });
    return values;
  }

  /**
   * The typed view of {@linkcode typed} when it is already cached (seeded by the parser or
   * read before and the header unchanged since), else undefined: nothing is parsed.
   */
  cachedTyped<T>(name: string, parse: (value: string) => T): T[] | undefined {
    const i = this.#viewIndex(headerKey(name));
    return i >= 0 && this.#views![i].parse === parse ? this.#views![i].values as T[] : undefined;
  }
}

/** Builds Headers over parsed fields (message parser only). */
export function headersFromFields(fields: HeaderField[]): Headers {
  return fromFields(fields);
}

/** The fields of `headers`, in order (message serializer only). */
export function headerFields(headers: Headers): readonly HeaderField[] {
  return fieldsOf(headers);
}

/** Stores a typed view computed by the parser (message parser only). */
export function seedView<T>(
  headers: Headers,
  key: string,
  parse: (value: string) => T,
  values: T[],
): void {
  seed(headers, key, parse, values);
}
