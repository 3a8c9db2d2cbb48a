// Record templates for repeated sends from the produce form: placeholders in a key, a value or a header
// value that take a new value for each record. Parsed here (both sides: the form checks as you type),
// expanded in the main process with its own generators. A template is data, never code: only the
// placeholders below exist, and anything else between {{ and }} is an error that names it.
//
//   {{seq}}          1, 2, 3, … : the record's number in this send
//   {{seq 100}}      100, 101, … : counting from the number given (0 or more)
//   {{uuid}}         a random UUID (v4)
//   {{now}}          the send's time, ISO 8601 (2026-12-06T09:40:00.000Z)
//   {{now ms}}       the same in milliseconds since the epoch
//   {{oneOf a,b,c}}  one of the comma-separated choices, at random for each record
//   {{int 1,100}}    a random whole number from 1 to 100, both included

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'seq'; start: number }
  | { kind: 'uuid' }
  | { kind: 'now'; format: 'iso' | 'ms' }
  | { kind: 'oneOf'; choices: string[] }
  | { kind: 'int'; min: number; max: number };

export type ParsedTemplate = { ok: true; parts: TemplatePart[] } | { ok: false; error: string };

/** What expansion draws on: the main process gives crypto's UUIDs and Math.random, tests fixed ones. */
export interface TemplateGenerators {
  uuid(): string;
  /** A number in [0, 1). */
  random(): number;
  /** The send's time, in milliseconds since the epoch (the same for every record of a send). */
  now: number;
}

export const TEMPLATE_HELP = [
  ['{{seq}}', "the record's number in this send: 1, 2, 3, …"],
  ['{{seq 100}}', 'counting from 100'],
  ['{{uuid}}', 'a random UUID'],
  ['{{now}}', 'the time of the send, ISO 8601; {{now ms}} in milliseconds'],
  ['{{oneOf a,b,c}}', 'one of the choices, at random'],
  ['{{int 1,100}}', 'a random whole number from 1 to 100'],
] as const;

const MAX_CHOICES = 1000;

function placeholder(body: string): TemplatePart | string {
  const [name = '', ...rest] = body.trim().split(/\s+/);
  const argument = body.trim().slice(name.length).trim();
  switch (name) {
    case 'seq': {
      if (!argument) return { kind: 'seq', start: 1 };
      if (!/^\d{1,15}$/.test(argument)) return `{{seq ${argument}}}: the start is a whole number, 0 or more, such as {{seq 100}}.`;
      return { kind: 'seq', start: Number(argument) };
    }
    case 'uuid':
      return rest.length ? '{{uuid}} takes nothing after its name.' : { kind: 'uuid' };
    case 'now':
      if (!argument || argument === 'iso') return { kind: 'now', format: 'iso' };
      if (argument === 'ms') return { kind: 'now', format: 'ms' };
      return `{{now ${argument}}}: write {{now}} for ISO 8601 or {{now ms}} for milliseconds.`;
    case 'oneOf': {
      const choices = argument.split(',').map((choice) => choice.trim());
      if (!argument || choices.some((choice) => choice === ''))
        return '{{oneOf …}} needs comma-separated choices, none empty, such as {{oneOf red,green,blue}}.';
      if (choices.length > MAX_CHOICES) return `{{oneOf …}} takes at most ${MAX_CHOICES} choices.`;
      return { kind: 'oneOf', choices };
    }
    case 'int': {
      const match = /^(-?\d{1,15})\s*,\s*(-?\d{1,15})$/.exec(argument);
      if (!match) return '{{int …}} needs two whole numbers, such as {{int 1,100}}.';
      const [min, max] = [Number(match[1]), Number(match[2])];
      if (min > max) return `{{int ${min},${max}}}: the first number is the smallest.`;
      return { kind: 'int', min, max };
    }
    default:
      return `{{${body.trim()}}} is not a placeholder. Use {{seq}}, {{uuid}}, {{now}}, {{oneOf a,b}} or {{int 1,9}}, or turn templates off to send braces as they are.`;
  }
}

/** Splits a template into text and placeholders; an unknown or malformed placeholder is an error naming it. */
export function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{{', at);
    if (open < 0) break;
    const close = template.indexOf('}}', open + 2);
    if (close < 0) return { ok: false, error: `A placeholder opened with {{ is not closed with }} (at character ${open + 1}).` };
    if (open > at) parts.push({ kind: 'text', text: template.slice(at, open) });
    const part = placeholder(template.slice(open + 2, close));
    if (typeof part === 'string') return { ok: false, error: part };
    parts.push(part);
    at = close + 2;
  }
  if (at < template.length) parts.push({ kind: 'text', text: template.slice(at) });
  return { ok: true, parts };
}

/** Whether a text has placeholders at all (a plain text expands to itself). */
export function hasPlaceholders(parts: readonly TemplatePart[]): boolean {
  return parts.some((part) => part.kind !== 'text');
}

/** The text of record number `index` (0-based) of a send. */
export function expandTemplate(parts: readonly TemplatePart[], index: number, generators: TemplateGenerators): string {
  let text = '';
  for (const part of parts) {
    switch (part.kind) {
      case 'text':
        text += part.text;
        break;
      case 'seq':
        text += String(part.start + index);
        break;
      case 'uuid':
        text += generators.uuid();
        break;
      case 'now':
        text += part.format === 'ms' ? String(generators.now) : new Date(generators.now).toISOString();
        break;
      case 'oneOf':
        text += part.choices[Math.min(part.choices.length - 1, Math.floor(generators.random() * part.choices.length))] ?? '';
        break;
      case 'int':
        text += String(part.min + Math.floor(generators.random() * (part.max - part.min + 1)));
        break;
    }
  }
  return text;
}
