// What a delegation token is, apart from how tokens are made and checked (delegation-tokens.ts): the
// cluster's metadata store persists tokens, and the token manager needs that store, so the shape lives
// here on its own and neither imports the other.

/** A delegation token's information (KIP-48; Kafka's TokenInformation): never its HMAC, derived from the secret key. */
export interface DelegationToken {
  tokenId: string;
  /** The principal the token authenticates as (`User:alice`). */
  owner: string;
  /** Who asked for it (KIP-373: may differ from the owner). */
  requester: string;
  /** Principals that may renew or expire it besides the owner. */
  renewers: string[];
  issueTimestamp: number;
  maxTimestamp: number;
  expiryTimestamp: number;
}
