-- What the app role may do: read and write rows (row-level security decides which), never
-- change the schema. Tables created later by the same owner get the same through the
-- default privileges; post_migrate also runs this again after every migrate.
-- forward
GRANT USAGE ON SCHEMA public TO {{role_ident}};
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON ALL TABLES IN SCHEMA public TO {{role_ident}};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {{role_ident}};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON TABLES TO {{role_ident}};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {{role_ident}};
-- reverse
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {{role_ident}};
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {{role_ident}};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {{role_ident}};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {{role_ident}};
REVOKE USAGE ON SCHEMA public FROM {{role_ident}};
