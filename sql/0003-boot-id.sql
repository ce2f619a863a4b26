-- 0003-boot-id.sql: the boot of a worker's pid (PRAGMA user_version 3).
--
-- A pid and its /proc start time name a process only within one boot of
-- the kernel: after a reboot both can come back and name a stranger.  The
-- master stores /proc/sys/kernel/random/boot_id beside pid and pid_start,
-- and kills what a previous master left behind only when the row is of the
-- current boot.  Rows written before this migration have no boot id: they
-- are never taken for a leftover.
ALTER TABLE worker_process ADD COLUMN boot_id TEXT;
