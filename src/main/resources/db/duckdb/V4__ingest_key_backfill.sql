-- An ingest key with backfill may send events older than the lateness limit (imports of history through
-- the API); other keys may not. TOKENSTATS_BACKFILL_KEY registers such a key at start.
ALTER TABLE ingest_keys ADD COLUMN backfill BOOLEAN NOT NULL DEFAULT false;
