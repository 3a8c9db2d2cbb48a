// Reads values in Confluent's wire format with the schema their id names, for the message browser:
// the schema is parsed by the registry's own format code with its references resolved (Avro named
// types from other subjects, Protobuf imports, JSON Schema `$ref`s), as the produce form writes it.
import avro from 'avsc';
import protobuf from 'protobufjs';
import { readMessageIndexes } from '../../kafka/schemas/wire';
import { parseRegistrySchema, protobufMessages, type RegistrySchema } from './serializer';

/** Reads the body after the magic byte and the schema id; throws with the reason when it cannot. */
export type SchemaReader = (payload: Buffer) => unknown;

/** Protobuf messages as JSON: 64-bit integers and enums as text, bytes as base64, no defaults filled in. */
export const protobufObjectOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  arrays: true,
  oneofs: false,
};

export function schemaReader(schema: RegistrySchema): SchemaReader {
  switch (schema.schemaType) {
    case 'AVRO': {
      const type = (parseRegistrySchema(schema) as unknown as { avroType: avro.Type }).avroType;
      return (payload) => type.fromBuffer(payload) as unknown;
    }
    case 'PROTOBUF': {
      // The file's own messages (not those of its imports), numbered as Confluent's serializer does.
      const topLevel = protobufMessages(parseRegistrySchema(schema));
      return (payload) => {
        const { path, next } = readMessageIndexes(payload, 0);
        let types = topLevel;
        let type: protobuf.Type | undefined;
        for (const index of path) {
          type = types[index];
          if (!type) throw new Error(`Schema ${schema.id} has no message at index path [${path.join(', ')}].`);
          types = type.nestedArray.filter((nested): nested is protobuf.Type => nested instanceof protobuf.Type);
        }
        try {
          return type!.toObject(type!.decode(payload.subarray(next)), protobufObjectOptions);
        } catch (error) {
          throw new Error(`Not a ${type!.fullName.replace(/^\./, '')} message: ${(error as Error).message}`, { cause: error });
        }
      };
    }
    case 'JSON':
      // The text is the value: the schema (and its references) is needed to write it, not to read it.
      return (payload) => {
        try {
          return JSON.parse(payload.toString('utf8')) as unknown;
        } catch (error) {
          throw new Error(`Not JSON, though schema ${schema.id} is a JSON Schema: ${(error as Error).message}`, { cause: error });
        }
      };
  }
}
