// The schemas the app's schema tests share (#17): the service tests (test/services/schemas.test.ts)
// and the E2E (test/e2e/schemas.spec.ts) register, evolve and produce with these. Each format has a
// first version, a second that is BACKWARD compatible with it, and one that is not (with what
// Confluent's check says about it), plus schemas that use references.

/** Avro: shop.Payment; v2 adds a field with a default (compatible); `incompatible` adds one without (old data cannot be read). */
export const AVRO = {
  v1: JSON.stringify({
    type: 'record',
    name: 'Payment',
    namespace: 'shop',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'double' },
    ],
  }),
  v2: JSON.stringify({
    type: 'record',
    name: 'Payment',
    namespace: 'shop',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'double' },
      { name: 'currency', type: 'string', default: 'EUR' },
    ],
  }),
  incompatible: JSON.stringify({
    type: 'record',
    name: 'Payment',
    namespace: 'shop',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'double' },
      { name: 'currency', type: 'string', default: 'EUR' },
      { name: 'customer', type: 'string' },
    ],
  }),
  recordName: 'shop.Payment',
  /** What Confluent's verbose check says of `incompatible` against v2. */
  incompatibleReason: 'READER_FIELD_MISSING_DEFAULT_VALUE',
} as const;

/** Protobuf: two messages and an enum; v2 adds a field (compatible); `incompatible` turns an int32 into a string. */
export const PROTOBUF = {
  v1: 'syntax = "proto3";\npackage shop;\n\nmessage Header {\n  string source = 1;\n}\n\nmessage Line {\n  string sku = 1;\n  int32 qty = 2;\n  Kind kind = 3;\n}\n\nenum Kind {\n  BOOK = 0;\n  GAME = 1;\n}\n',
  v2: 'syntax = "proto3";\npackage shop;\n\nmessage Header {\n  string source = 1;\n}\n\nmessage Line {\n  string sku = 1;\n  int32 qty = 2;\n  Kind kind = 3;\n  string note = 4;\n}\n\nenum Kind {\n  BOOK = 0;\n  GAME = 1;\n}\n',
  incompatible:
    'syntax = "proto3";\npackage shop;\n\nmessage Header {\n  string source = 1;\n}\n\nmessage Line {\n  string sku = 1;\n  string qty = 2;\n  Kind kind = 3;\n  string note = 4;\n}\n\nenum Kind {\n  BOOK = 0;\n  GAME = 1;\n}\n',
  incompatibleReason: 'FIELD_SCALAR_KIND_CHANGED',
} as const;

/** JSON Schema: a closed object; v2 adds an optional property (compatible); `incompatible` makes `total` a string. */
export const JSON_SCHEMA = {
  v1: JSON.stringify({
    type: 'object',
    properties: { id: { type: 'string' }, total: { type: 'number', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['id', 'total'],
    additionalProperties: false,
  }),
  v2: JSON.stringify({
    type: 'object',
    properties: {
      id: { type: 'string' },
      total: { type: 'number', minimum: 0 },
      tags: { type: 'array', items: { type: 'string' } },
      note: { type: 'string' },
    },
    required: ['id', 'total'],
    additionalProperties: false,
  }),
  incompatible: JSON.stringify({
    type: 'object',
    properties: {
      id: { type: 'string' },
      total: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
      note: { type: 'string' },
    },
    required: ['id', 'total'],
    additionalProperties: false,
  }),
  incompatibleReason: 'TYPE_CHANGED',
} as const;

/**
 * Schemas that use references, one per format: a Money type registered under a subject of its own,
 * and an Invoice that uses it (Avro by its full name, Protobuf by an import, JSON Schema by `$ref`).
 * The Invoice subjects are named as RecordNameStrategy names them (the record's full name), so which
 * topics use them is known only from the records.
 */
export const REFERENCES = {
  avro: {
    money: {
      subject: 'shop.Money',
      schema: JSON.stringify({
        type: 'record',
        name: 'Money',
        namespace: 'shop',
        fields: [
          { name: 'amount', type: 'double' },
          { name: 'currency', type: 'string' },
        ],
      }),
    },
    invoice: {
      subject: 'shop.Invoice',
      schema: JSON.stringify({
        type: 'record',
        name: 'Invoice',
        namespace: 'shop',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'total', type: 'shop.Money' },
        ],
      }),
      references: [{ name: 'shop.Money', subject: 'shop.Money', version: 1 }],
    },
  },
  protobuf: {
    money: {
      subject: 'shop/money.proto',
      schema: 'syntax = "proto3";\npackage shop;\n\nmessage Money {\n  double amount = 1;\n  string currency = 2;\n}\n',
    },
    invoice: {
      subject: 'shop.InvoiceProto',
      schema: 'syntax = "proto3";\npackage shop;\n\nimport "shop/money.proto";\n\nmessage InvoiceProto {\n  string id = 1;\n  Money total = 2;\n}\n',
      references: [{ name: 'shop/money.proto', subject: 'shop/money.proto', version: 1 }],
    },
  },
  json: {
    money: {
      subject: 'money.json',
      schema: JSON.stringify({
        $id: 'money.json',
        type: 'object',
        properties: { amount: { type: 'number' }, currency: { type: 'string', minLength: 3, maxLength: 3 } },
        required: ['amount', 'currency'],
      }),
    },
    invoice: {
      subject: 'InvoiceJson',
      schema: JSON.stringify({
        title: 'InvoiceJson',
        type: 'object',
        properties: { id: { type: 'string' }, total: { $ref: 'money.json' } },
        required: ['id', 'total'],
      }),
      references: [{ name: 'money.json', subject: 'money.json', version: 1 }],
    },
  },
  /** An invoice, as JSON, that all three Invoice schemas take. */
  invoice: { id: 'inv-1', total: { amount: 12.5, currency: 'EUR' } },
} as const;
