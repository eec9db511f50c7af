-- The SQL test of the sqlite recipe: its output is known (see goa.yaml).
select sqlite_version();
create table os(id integer primary key, name text, kind text);
insert into os(name, kind) values ('kide', 'microkernel'), ('genode', 'framework');
select id, name, kind from os order by id;
select 'count=' || count(*) from os;
select 'sum=' || sum(id) from os;
