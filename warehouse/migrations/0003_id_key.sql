-- The key that hashes ID numbers (DOMAIN.md §5) is kept outside this file
-- (<warehouse>.key or $SHEQU_ID_KEY); only its fingerprint is kept here,
-- HMAC-SHA256 of a fixed label under the key, in hex, from which the key
-- cannot be found. An ingest refuses to hash with a key of another
-- fingerprint: the same person would get two hashes. A new key is made
-- only for a warehouse with no fingerprint yet, and `shequ key rotate`
-- retires one deliberately.
CREATE TABLE ops.id_key (
    fingerprint VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,  -- when the warehouse first used the key
    retired_at  TIMESTAMP,           -- when `shequ key rotate` replaced it; NULL for the key in use
    source      VARCHAR              -- where the key came from then: the key file's path or $SHEQU_ID_KEY
);
