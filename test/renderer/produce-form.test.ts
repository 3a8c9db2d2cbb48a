import { describe, expect, it } from 'vitest';
import { emptyProduceForm, parseTimestamp, produceRequestOf, validateProduceForm, type ProduceForm } from '../../renderer/src/features/produce/produce-form';

const chosen = { handle: '7d1f0c2e-0000-4000-8000-000000000001', name: 'a.json', size: 12 };
const form = (patch: Partial<ProduceForm>): ProduceForm => ({ ...emptyProduceForm, topic: 'orders', ...patch });

describe('produce form', () => {
  it('reads a timestamp as milliseconds or an ISO date and time', () => {
    expect(parseTimestamp('')).toEqual({ ok: true, value: null });
    expect(parseTimestamp('1704164645000')).toEqual({ ok: true, value: 1704164645000 });
    expect(parseTimestamp('2024-01-02T03:04:05Z')).toEqual({ ok: true, value: Date.UTC(2024, 0, 2, 3, 4, 5) });
    expect(parseTimestamp('2024-13-45')).toMatchObject({ ok: false });
    expect(parseTimestamp('yesterday')).toEqual({ ok: false, error: 'Enter a date and time such as 2026-12-06T09:40:00Z, or milliseconds since 1970.' });
    expect(parseTimestamp('99999999999999999')).toEqual({ ok: false, error: 'A timestamp can be at most 9999-12-31.' });
  });

  it('checks the topic against the cluster, templates only when on, and that a file was chosen', () => {
    expect(validateProduceForm(form({}), 3, ['orders'])).toEqual({});
    expect(validateProduceForm(form({ topic: 'gone' }), null, ['orders']).topic).toBe('There is no topic "gone" on this cluster.');
    expect(validateProduceForm(form({ value: '{{nope}}' }), 3)).toEqual({});
    expect(validateProduceForm(form({ value: '{{nope}}', templates: true }), 3).value).toMatch(/^\{\{nope\}\} is not a placeholder/);
    expect(validateProduceForm(form({ key: 'k-{{seq', templates: true }), 3).key).toMatch(/not closed/);
    expect(validateProduceForm(form({ valueSource: 'file-lines' }), 3).file).toBe('Choose a file.');
    expect(validateProduceForm(form({ valueSource: 'file-lines', file: chosen, repeat: 'x' }), 3)).toEqual({});
    expect(validateProduceForm(form({ repeat: '0' }), 3).repeat).toBe('Send at least 1 record.');
  });

  it("sends the chosen file's handle (never a path) instead of the value, and the timestamp in milliseconds", () => {
    expect(produceRequestOf(form({ valueSource: 'file-whole', file: chosen, value: 'ignored', timestamp: '1000' }))).toMatchObject({
      value: null,
      file: { handle: chosen.handle, mode: 'whole' },
      timestamp: 1000,
    });
    expect(produceRequestOf(form({ value: 'v', repeat: '3' }))).toMatchObject({ value: 'v', file: null, timestamp: null, repeat: 3, templates: false });
  });
});
