"""The SQLite-only history from before both engines shared one (`PRAGMA user_version` 1–8).

Frozen: a SQLite file written before is brought to version 8 by these scripts, then stamped
with the first revision of the shared history (`migrations/versions/0001_baseline.py`, the same
schema); new migrations go there, for both engines.
"""

from __future__ import annotations

LEGACY_MIGRATIONS: tuple[str, ...] = (
    # 1: users, orders (written as intents before `add`), refills
    """
    CREATE TABLE users (
        id          INTEGER PRIMARY KEY,          -- Telegram user ID
        language    TEXT,                         -- chosen UI language, NULL = from Telegram
        first_name  TEXT NOT NULL DEFAULT '',
        username    TEXT,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        blocked     INTEGER NOT NULL DEFAULT 0    -- the user blocked the bot (403)
    );
    CREATE TABLE orders (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        panel_order_id  INTEGER UNIQUE,
        user_id         INTEGER NOT NULL REFERENCES users(id),
        chat_id         INTEGER NOT NULL,
        service_id      INTEGER NOT NULL,
        service_name    TEXT NOT NULL,
        link            TEXT NOT NULL,
        quantity        INTEGER NOT NULL,
        charge          TEXT NOT NULL,            -- Decimal as text: never a float
        comments        TEXT,
        runs            INTEGER,
        interval        INTEGER,
        confirm_token   TEXT NOT NULL UNIQUE,     -- one order per confirmation
        state           TEXT NOT NULL,            -- intent | placed | failed | unknown
        status          TEXT NOT NULL DEFAULT 'Pending',
        remains         INTEGER,
        start_count     INTEGER,
        error           TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        checked_at      TEXT,
        notified_status TEXT
    );
    CREATE INDEX orders_user ON orders(user_id, id DESC);
    CREATE INDEX orders_active ON orders(state, status);
    CREATE TABLE refills (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        refill_id       INTEGER UNIQUE,
        order_id        INTEGER NOT NULL REFERENCES orders(id),
        user_id         INTEGER NOT NULL REFERENCES users(id),
        status          TEXT NOT NULL DEFAULT 'Pending',
        error           TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        notified_status TEXT
    );
    CREATE INDEX refills_user ON refills(user_id, id DESC);
    CREATE INDEX refills_status ON refills(status);
    """,
    # 2: key/value rows for PTB persistence (conversation states, user data)
    """
    CREATE TABLE kv (
        namespace   TEXT NOT NULL,                -- e.g. 'user_data', 'conversation:order'
        key         TEXT NOT NULL,
        value       TEXT NOT NULL,                -- JSON
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
    );
    """,
    # 3: tracking — the user's Telegram language for notifications, and partial indexes so
    # a poll cycle and the notification scan touch only open or unnotified rows, not history.
    """
    ALTER TABLE users ADD COLUMN telegram_language TEXT;
    UPDATE orders SET notified_status = status WHERE notified_status IS NULL
        AND status IN ('Pending', 'Failed', 'Unknown');
    CREATE INDEX orders_open ON orders(checked_at, id)
        WHERE state = 'placed' AND status NOT IN ('Completed', 'Partial', 'Canceled');
    CREATE INDEX orders_unnotified ON orders(updated_at, id)
        WHERE notified_status IS NOT status;
    CREATE INDEX refills_open ON refills(id)
        WHERE refill_id IS NOT NULL AND status NOT IN ('Completed', 'Rejected', 'Error', 'Canceled');
    CREATE INDEX refills_unnotified ON refills(id) WHERE notified_status IS NOT status;
    """,
    # 4: access granted or revoked at runtime by admins, on top of the environment
    """
    CREATE TABLE access (
        user_id     INTEGER PRIMARY KEY,
        allowed     INTEGER NOT NULL,            -- 1 = /allow, 0 = /deny
        changed_by  INTEGER NOT NULL,
        changed_at  TEXT NOT NULL
    );
    CREATE INDEX orders_created ON orders(created_at);
    """,
    # 5: a service type's own `add` parameters (usernames, answer_number, Subscriptions'
    # min/max/posts…), as a JSON object, so /orders and a restart keep what was ordered
    """
    ALTER TABLE orders ADD COLUMN fields TEXT;
    """,
    # 6: "Refunded" is a final order status of its own (it used to be stored as Canceled):
    # the open-orders index lists it too, or refunded orders would be polled forever.
    """
    DROP INDEX orders_open;
    CREATE INDEX orders_open ON orders(checked_at, id)
        WHERE state = 'placed' AND status NOT IN ('Completed', 'Partial', 'Canceled', 'Refunded');
    """,
    # 7: when the owner asked the panel to cancel the order (/orders → ✖ Cancel), so the
    # "canceled" notice says it was at their request, not the panel's own doing.
    """
    ALTER TABLE orders ADD COLUMN cancel_requested_at TEXT;
    """,
    # 8: favorites — services a user starred on the card (⭐), listed by /favorites
    """
    CREATE TABLE favorites (
        user_id     INTEGER NOT NULL,
        service_id  INTEGER NOT NULL,            -- the panel's service ID
        created_at  TEXT NOT NULL,
        PRIMARY KEY (user_id, service_id)
    );
    """,
)
