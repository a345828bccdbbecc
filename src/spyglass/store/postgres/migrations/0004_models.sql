-- Project model price definitions (built-in ones ship in domain/model_prices.json and are not stored here),
-- and indexes for the cost and usage roll-ups per model and per day. Mirrors the SQLite 0004_models.sql.

CREATE TABLE models (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    project_id          TEXT COLLATE "C" NOT NULL,
    model_name          TEXT NOT NULL,
    match_pattern       TEXT NOT NULL,
    start_date          TIMESTAMPTZ,
    unit                TEXT NOT NULL DEFAULT 'TOKENS',
    prices              TEXT NOT NULL DEFAULT '{}',
    pricing_tiers       TEXT NOT NULL DEFAULT '[]',
    tokenizer_id        TEXT,
    tokenizer_config    TEXT,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX models_by_project ON models (project_id, model_name);

CREATE INDEX observations_by_model ON observations (project_id, model, start_time) WHERE model IS NOT NULL;
