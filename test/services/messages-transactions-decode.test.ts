// The browser's reading of transactions from the bytes a Fetch answer carries: read_committed leaves out
// the batches of aborted transactions as Kafka's consumer does (from the answer's abortedTransactions
// up to each ABORT marker), read_uncommitted marks each transactional record with its marker, and
// control records are kept only when asked for. The log is built with the project's batch encoder,
// the same bytes a broker serves.
import { describe, expect, it } from 'vitest';
import { ControlRecordType, encodeEndTxnMarkerBatch, encodeRecordBatch } from '../../electron/kafka/records/record-batch';
import { decodeRecordsField, markTransactions } from '../../electron/services/messages/fetch';

const TIME = 1_700_000_000_000;

function batch(baseOffset: number, producerId: number, values: string[], transactional = true): Buffer {
  return encodeRecordBatch({
    baseOffset,
    producerId,
    producerEpoch: producerId < 0 ? -1 : 0,
    baseSequence: producerId < 0 ? -1 : 0,
    transactional,
    records: values.map((value, i) => ({ key: null, value: Buffer.from(value), timestamp: TIME + baseOffset + i })),
  });
}

function marker(offset: number, producerId: number, type: ControlRecordType, coordinatorEpoch = 3): Buffer {
  return encodeEndTxnMarkerBatch({ baseOffset: offset, producerId, producerEpoch: 0, type, coordinatorEpoch, timestamp: TIME + offset });
}

// offsets: 0-1 producer 7 (aborted at 4), 2-3 producer 8 (committed at 6), 5 a plain record, 7 producer 7 again (open)
const LOG = Buffer.concat([
  batch(0, 7, ['a0', 'a1']),
  batch(2, 8, ['b2', 'b3']),
  marker(4, 7, ControlRecordType.Abort),
  batch(5, -1, ['plain5'], false),
  marker(6, 8, ControlRecordType.Commit),
  batch(7, 7, ['a7']),
]);

const values = (records: ReturnType<typeof decodeRecordsField>['records']) => records.map((r) => `${r.offset}:${r.value?.toString() ?? ''}`);

describe('transactions in the message browser', () => {
  it('read_uncommitted: every data record, markers apart, each transactional record marked by the marker after it', () => {
    const decoded = decodeRecordsField(0, LOG, 0);
    expect(values(decoded.records)).toEqual(['0:a0', '1:a1', '2:b2', '3:b3', '5:plain5', '7:a7']);
    expect(decoded.markers).toEqual([
      { offset: 4, producerId: 7, committed: false },
      { offset: 6, producerId: 8, committed: true },
    ]);
    expect(decoded.nextOffset).toBe(8);
    const unresolved = markTransactions(decoded.records, decoded.markers);
    expect(decoded.records.map((r) => r.transaction)).toEqual([
      { state: 'aborted', markerOffset: 4 },
      { state: 'aborted', markerOffset: 4 },
      { state: 'committed', markerOffset: 6 },
      { state: 'committed', markerOffset: 6 },
      null,
      null,
    ]);
    // Producer 7's second transaction has no marker in this chunk: the reader looks further.
    expect([...unresolved]).toEqual([7]);
    markTransactions(decoded.records, [{ offset: 12, producerId: 7, committed: true }]);
    expect(decoded.records[5]!.transaction).toEqual({ state: 'committed', markerOffset: 12 });
  });

  it('keeps control records when asked, with their marker type and coordinator epoch', () => {
    const decoded = decodeRecordsField(0, LOG, 0, { keepControl: true });
    expect(decoded.records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(decoded.records[4]!.control).toEqual({ type: 'abort', coordinatorEpoch: 3 });
    expect(decoded.records[6]!.control).toEqual({ type: 'commit', coordinatorEpoch: 3 });
    expect(decoded.records[5]!.control).toBeNull();
  });

  it('read_committed: the batches of aborted transactions are left out up to their ABORT marker', () => {
    const decoded = decodeRecordsField(0, LOG, 0, { aborted: [{ producerId: 7, firstOffset: 0 }] });
    // Producer 7's records before its ABORT marker go; its next transaction (offset 7) is not that one.
    expect(values(decoded.records)).toEqual(['2:b2', '3:b3', '5:plain5', '7:a7']);
    // Both of producer 7's transactions aborted: both go.
    const both = decodeRecordsField(0, Buffer.concat([LOG, marker(8, 7, ControlRecordType.Abort)]), 0, {
      aborted: [
        { producerId: 7, firstOffset: 7 },
        { producerId: 7, firstOffset: 0 },
      ],
    });
    expect(values(both.records)).toEqual(['2:b2', '3:b3', '5:plain5']);
    // No aborted transactions listed: nothing is left out (read_committed answers stop at the LSO).
    expect(values(decodeRecordsField(0, LOG, 0, { aborted: [] }).records)).toEqual(['0:a0', '1:a1', '2:b2', '3:b3', '5:plain5', '7:a7']);
  });

  it('starts at the offset asked for, inside a batch', () => {
    const decoded = decodeRecordsField(0, LOG, 3, { keepControl: true });
    expect(decoded.records.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7]);
  });
});
