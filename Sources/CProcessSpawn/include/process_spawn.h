#ifndef PORTICO_PROCESS_SPAWN_H
#define PORTICO_PROCESS_SPAWN_H

#include <spawn.h>

// glibc declares pipe2 and posix_spawn_file_actions_addclosefrom_np only under _GNU_SOURCE, which Swift's
// Glibc module is not built with: these wrappers, compiled with it, are how Discovery reaches them.

/// pipe2(fds, O_CLOEXEC): a pipe no other child process can inherit.
int portico_pipe_cloexec(int fds[2]);

/// Closes every descriptor from `lowest` up in the spawned child (glibc 2.34 and later).
int portico_spawn_file_actions_closefrom(posix_spawn_file_actions_t *actions, int lowest);

#endif
