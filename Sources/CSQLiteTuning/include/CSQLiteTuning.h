#ifndef CSQLITE_TUNING_H
#define CSQLITE_TUNING_H

/// Turns off SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS) for the whole process.
///
/// With statistics on, every SQLite allocation takes one process-wide mutex; two simulations on
/// two cores then spend their time waking each other (docs/performance.md). sqlite3_config is a
/// C variadic function, which Swift cannot call, hence this one-line C shim.
///
/// Returns SQLITE_OK, or SQLITE_MISUSE when SQLite was already initialised (the setting then
/// stays as it was: slower, never wrong).
int cohortsim_sqlite_disable_memory_status(void);

#endif
