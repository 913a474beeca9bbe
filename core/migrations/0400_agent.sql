-- The strategy agent: Q-table, logged choices, rewards, transitions, replay buffer,
-- and cached item embeddings for recommendations. Owned by core/agent.py,
-- core/rewards.py and core/recommend.py.
CREATE TABLE agent_q (
    state TEXT NOT NULL,
    strategy TEXT NOT NULL,          -- Strategy.key, e.g. question|nop|medium
    q REAL NOT NULL,
    visits INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (state, strategy)
);
CREATE TABLE agent_choices (
    id INTEGER PRIMARY KEY,
    item_id INTEGER REFERENCES items(id),
    version_id INTEGER REFERENCES versions(id),
    context_json TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    strategy TEXT NOT NULL,
    tone TEXT NOT NULL DEFAULT 'professional',
    propensity REAL NOT NULL,
    epsilon REAL NOT NULL,
    explored INTEGER NOT NULL DEFAULT 0, -- 1 when picked at random
    forced INTEGER NOT NULL DEFAULT 0,   -- 1 when the creator picked the strategy
    created_at TEXT NOT NULL
);
CREATE INDEX agent_choices_item ON agent_choices(item_id);
CREATE TABLE agent_rewards (
    id INTEGER PRIMARY KEY,
    choice_id INTEGER REFERENCES agent_choices(id),
    item_id INTEGER REFERENCES items(id),
    version_id INTEGER REFERENCES versions(id),
    strategy TEXT NOT NULL DEFAULT '',
    event TEXT NOT NULL,             -- rating | like | dislike | export | share | regenerate | reject | approve
    value REAL,                      -- the raw value, e.g. the stars of a rating
    reward REAL NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    learned INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX agent_rewards_item ON agent_rewards(item_id);
CREATE TABLE agent_transitions (
    id INTEGER PRIMARY KEY,
    choice_id INTEGER REFERENCES agent_choices(id),
    reward_id INTEGER REFERENCES agent_rewards(id),
    state TEXT NOT NULL,
    strategy TEXT NOT NULL,
    reward REAL NOT NULL,
    next_state TEXT,                 -- NULL: the episode ended with this reward
    created_at TEXT NOT NULL
);
CREATE TABLE agent_replay (
    slot INTEGER PRIMARY KEY,        -- transition id modulo the buffer size: a circular buffer
    transition_id INTEGER NOT NULL REFERENCES agent_transitions(id),
    state TEXT NOT NULL,
    strategy TEXT NOT NULL,
    reward REAL NOT NULL,
    next_state TEXT
);
CREATE TABLE item_embeddings (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (version_id, model)
);
