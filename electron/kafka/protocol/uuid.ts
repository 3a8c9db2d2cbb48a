/** The all-zero UUID: "no topic id" in requests and responses (Uuid.ZERO_UUID in Kafka). */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
