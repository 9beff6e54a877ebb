// The field tables of docs/report-schema.md, generated from the zod schema itself (through its JSON
// Schema) so that the documentation cannot drift from what the tool writes: a test compares them.
import { z } from 'zod';
import { ReportSchema } from './schema';

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  minimum?: number;
  maximum?: number;
};

interface Row {
  path: string;
  type: string;
  required: boolean;
  description: string;
}

/** The JSON Schema (draft 2020-12) of the report, for readers that validate it. */
export function reportJsonSchema(): JsonSchema {
  return z.toJSONSchema(ReportSchema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
}

export function reportSchemaFieldTables(): string {
  const root = reportJsonSchema();
  const sections: { title: string; rows: Row[] }[] = [];
  const pending: { title: string; schema: JsonSchema; prefix: string }[] = [{ title: 'Report (top level)', schema: root, prefix: '' }];
  while (pending.length > 0) {
    const { title, schema, prefix } = pending.shift()!;
    const rows: Row[] = [];
    collect(schema, prefix, rows, (subTitle, sub, subPrefix) => pending.push({ title: subTitle, schema: sub, prefix: subPrefix }));
    sections.push({ title, rows });
  }
  return sections
    .map(({ title, rows }) =>
      [
        `### ${title}`,
        '',
        '| Field | Type | Required | Meaning |',
        '|---|---|---|---|',
        ...rows.map((r) => `| \`${r.path}\` | ${escape(r.type)} | ${r.required ? 'yes' : 'no'} | ${escape(r.description)} |`),
      ].join('\n'),
    )
    .join('\n\n');
}

// Objects that get a section of their own rather than dotted rows: entries, steps, evidence kinds.
const OWN_SECTION: Record<string, string> = {
  'files[]': 'File entry (`files[]`)',
  'steps[]': 'Step (`files[].steps[]`)',
};

function collect(schema: JsonSchema, prefix: string, rows: Row[], defer: (title: string, schema: JsonSchema, prefix: string) => void): void {
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push({ path, type: typeOf(property), required: required.has(name), description: property.description ?? '' });
    const item = property.type === 'array' ? property.items : undefined;
    if (item?.properties) {
      const own = OWN_SECTION[`${name}[]`];
      if (own) defer(own, item, '');
      else collect(item, `${path}[]`, rows, defer);
    } else if (item && variants(item).length > 0 && name === 'evidence') {
      for (const variant of variants(item)) {
        const kinds = kindsOf(variant)!.map((k) => `\`${String(k)}\``);
        defer(`Evidence of kind ${kinds.join(', ')} (\`files[].steps[].evidence[]\`)`, variant, '');
      }
    } else if (property.properties && !isCounts(property) && !isRangeLike(property)) {
      collect(property, path, rows, defer);
    }
  }
}

/** The `kind` values a variant of a union stands for: one (`const`) or several (`enum`). */
function kindsOf(variant: JsonSchema): unknown[] | undefined {
  const kind = variant.properties?.kind;
  return kind?.const !== undefined ? [kind.const] : kind?.enum;
}

function variants(schema: JsonSchema): JsonSchema[] {
  return (schema.oneOf ?? schema.anyOf ?? []).filter((v) => kindsOf(v) !== undefined);
}

/** Verdict-count objects are described by their type, not one row per verdict. */
function isCounts(schema: JsonSchema): boolean {
  const values = Object.values(schema.properties ?? {});
  return values.length > 3 && values.every((v) => v.type === 'integer') && !('entries' in (schema.properties ?? {}));
}

function isRangeLike(schema: JsonSchema): boolean {
  const keys = Object.keys(schema.properties ?? {});
  return (keys.includes('start') && keys.includes('end')) || (keys.includes('line') && keys.includes('character'));
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    if (union.every((v) => kindsOf(v) !== undefined))
      return `one of kind ${union
        .flatMap((v) => kindsOf(v)!)
        .map((k) => `\`${String(k)}\``)
        .join(', ')}`;
    return union.map(typeOf).join(' \\| ');
  }
  switch (schema.type) {
    case 'array':
      return schema.items ? `${wrap(typeOf(schema.items))}[]` : 'array';
    case 'object':
      if (isCounts(schema)) return `{ ${Object.keys(schema.properties ?? {}).join(', ')}: integer }`;
      if (!schema.properties && schema.additionalProperties) return 'object (any keys)';
      if (schema.properties && 'start' in schema.properties && 'end' in schema.properties) return 'range (0-based `{start, end}` of `{line, character}`)';
      if (schema.properties && 'line' in schema.properties && 'character' in schema.properties) return 'position';
      return 'object';
    case 'integer':
      return schema.minimum !== undefined && schema.minimum >= 0 ? 'integer ≥ 0' : schema.minimum !== undefined ? `integer ≥ ${schema.minimum}` : 'integer';
    case 'number':
      return schema.minimum === 0 && schema.maximum === 1 ? 'number in [0, 1]' : schema.minimum === 0 ? 'number ≥ 0' : 'number';
    case 'null':
      return 'null';
    default:
      return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
  }
}

function wrap(type: string): string {
  return type.includes(' ') ? `(${type})` : type;
}

function escape(text: string): string {
  return text.replace(/\|(?<!\\\|)/g, '\\|').replace(/\n/g, ' ');
}
