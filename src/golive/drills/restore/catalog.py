"""The schema as the catalog describes it, for comparing a restored database with its source.

``schema_of`` reads one flat mapping, object key → definition, from pg_catalog: schemas,
tables (with their persistence: an UNLOGGED table shows up), columns, constraints, indexes,
triggers, functions, views, sequences, types and extensions. Owners and privileges are left
out on purpose: drills restore with ``--no-owner --no-privileges`` into a fresh instance
whose roles differ. Objects that belong to an extension are described by the extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from golive.drills.restore.checks import Check
from golive.invariants.ledger import Violation

SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
USER_NS = (
    f"n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
    "AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
)


def _not_ext(catalog: str, oid: str) -> str:
    """SQL: the object is not a member of an extension."""
    return (
        f"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass "
        f"AND d.objid = {oid} AND d.deptype = 'e')"
    )


X_NS = _not_ext("pg_namespace", "n.oid")
X_REL = _not_ext("pg_class", "c.oid")
X_IDX = _not_ext("pg_class", "i.indrelid")
X_PROC = _not_ext("pg_proc", "p.oid")
X_TYPE = _not_ext("pg_type", "t.oid")
KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "S": "sequence",
    "f": "foreign table",
}
PERSISTENCE = {"p": "logged", "u": "UNLOGGED", "t": "temporary"}

QUERIES: dict[str, str] = {
    "schema": f"""
        SELECT 'schema ' || quote_ident(n.nspname), 'schema'
          FROM pg_namespace n WHERE {USER_NS} AND {X_NS}""",
    "relation": f"""
        SELECT 'relation ' || c.oid::regclass::text,
               c.relkind::text || ' ' || c.relpersistence::text
               || CASE WHEN c.relrowsecurity THEN ' rls' ELSE '' END
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {USER_NS}
           AND {X_REL}""",
    "column": f"""
        SELECT 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname),
               format('#%s %s%s%s%s%s%s', row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
                      format_type(a.atttypid, a.atttypmod),
                      CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                      CASE WHEN a.attidentity <> ''
                           THEN ' identity ' || a.attidentity::text ELSE '' END,
                      CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END,
                      ' default ' || pg_get_expr(ad.adbin, ad.adrelid),
                      CASE WHEN a.attcollation <> t.typcollation
                           THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END)
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND {USER_NS} AND {X_REL}""",
    "constraint": f"""
        SELECT 'constraint ' || CASE WHEN c.conrelid <> 0 THEN c.conrelid::regclass::text
                                      ELSE c.contypid::regtype::text END
               || '.' || quote_ident(c.conname),
               c.contype::text || ' ' || pg_get_constraintdef(c.oid)
               || CASE WHEN c.condeferrable THEN ' deferrable' ELSE '' END
               || CASE WHEN c.condeferred THEN ' initially deferred' ELSE '' END
               || CASE WHEN NOT c.convalidated THEN ' not valid' ELSE '' END
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE {USER_NS}""",
    "index": f"""
        SELECT 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               || CASE WHEN NOT i.indisvalid THEN ' INVALID' ELSE '' END
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE {USER_NS} AND {X_IDX}""",
    "trigger": f"""
        SELECT 'trigger ' || t.tgrelid::regclass::text || '.' || quote_ident(t.tgname),
               pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT t.tgisinternal AND {USER_NS}""",
    "function": f"""
        SELECT 'function ' || p.oid::regprocedure::text, md5(pg_get_functiondef(p.oid))
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE p.prokind IN ('f', 'p', 'w') AND {USER_NS} AND {X_PROC}""",
    "aggregate": f"""
        SELECT 'aggregate ' || p.oid::regprocedure::text, 'aggregate'
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE p.prokind = 'a' AND {USER_NS} AND {X_PROC}""",
    "view": f"""
        SELECT 'view ' || c.oid::regclass::text, md5(pg_get_viewdef(c.oid))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('v', 'm') AND {USER_NS} AND {X_REL}""",
    "sequence": f"""
        SELECT 'sequence ' || s.seqrelid::regclass::text,
               format('%s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, NULL),
                      s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                      CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END)
          FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE {USER_NS} AND {X_REL}""",
    "type": f"""
        SELECT 'type ' || t.oid::regtype::text,
               t.typtype::text || coalesce(' ' || (SELECT string_agg(quote_literal(e.enumlabel), ','
                                                               ORDER BY e.enumsortorder)
                                               FROM pg_enum e WHERE e.enumtypid = t.oid), '')
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE t.typtype IN ('e', 'd', 'r', 'c') AND {USER_NS} AND {X_TYPE}
           AND (t.typtype <> 'c'
                OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')""",
    "extension": """
        SELECT 'extension ' || quote_ident(e.extname), e.extversion FROM pg_extension e
         WHERE e.extname <> 'plpgsql'""",
}


def schema_of(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """Every user object of the connected database, as ``{"kind name": "definition"}``."""
    out: dict[str, str] = {}
    with conn.cursor() as cur:
        for sql in QUERIES.values():
            cur.execute(sql.encode())
            for key, definition in cur.fetchall():
                out[str(key)] = str(definition)
    return out


def unlogged_tables(schema: Mapping[str, str]) -> list[str]:
    """Tables the schema marks UNLOGGED: never in WAL, so never in a physical backup."""
    return sorted(
        key.removeprefix("relation ")
        for key, d in schema.items()
        if key.startswith("relation ") and d.split()[:2] in (["r", "u"], ["p", "u"])
    )


def describe(key: str, definition: str) -> str:
    """A readable form of one catalog entry (relation kinds and persistence spelled out)."""
    if key.startswith("relation "):
        parts = definition.split()
        kind = KINDS.get(parts[0], parts[0])
        persistence = PERSISTENCE.get(parts[1], parts[1]) if len(parts) > 1 else ""
        return f"{kind}, {persistence}" + (", row-level security" if "rls" in parts else "")
    return definition


def schema_diff(source: Mapping[str, str], restored: Mapping[str, str]) -> list[Violation]:
    """Every object that is missing, extra, or defined differently in ``restored``."""
    found = []
    for key in sorted(source.keys() | restored.keys()):
        before, after = source.get(key), restored.get(key)
        if before == after:
            continue
        if after is None:
            detail = "missing from the restored database"
        elif before is None:
            detail = f"not in the source, but the restored database has it ({describe(key, after)})"
        else:
            detail = f"source has {describe(key, before)!r}, restored has {describe(key, after)!r}"
        found.append(Violation(Check.SCHEMA, key, detail))
    return found
