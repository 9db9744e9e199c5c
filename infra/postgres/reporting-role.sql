-- A read-only login for BI tools (Power BI, Tableau, Metabase): it reads the views of the
-- reporting schema and nothing else (no event table, no read-model table, no access log, no
-- person keys). See docs/bi.md.
--
-- Run it with psql as the user the ledger connects as (the owner of the schemas and views, so
-- that the default privileges below cover the views the ledger recreates after a rebuild):
--
--   psql "$LEDGER_POSTGRES_URL" -v role=ledger_bi -v password='…' -v reporting_schema=reporting \
--        -f infra/postgres/reporting-role.sql
--
-- `reporting_schema` is `reporting` with the default LEDGER_POSTGRES_SCHEMA, `<schema>_reporting`
-- otherwise. The ledger creates the schema and its views when it starts.

create role :"role" login password :'password' nosuperuser nocreatedb nocreaterole noinherit;
alter role :"role" set default_transaction_read_only = on;
grant connect on database :"DBNAME" to :"role";
grant usage on schema :"reporting_schema" to :"role";
grant select on all tables in schema :"reporting_schema" to :"role";
alter default privileges in schema :"reporting_schema" grant select on tables to :"role";
