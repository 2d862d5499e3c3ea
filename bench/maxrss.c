/*===- maxrss.c - Peak RSS of one command ---------------------------------===*
 *
 * bench/run compiles this at run time (cc -O2) and measures as
 *   maxrss OUT.txt COMMAND ARGS...
 * It runs COMMAND, waits for it and writes the command's peak RSS in KiB
 * (wait4's ru_maxrss) to OUT.txt; the exit status is the command's.
 * Linux keeps the high-water RSS of the memory image a process replaces
 * with exec, so a command forked from the (large) bench/run process would
 * report at least bench/run's RSS: this small launcher keeps that floor at
 * its own size (about 1 MiB).
 *
 *===----------------------------------------------------------------------===*/
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: maxrss OUT.txt COMMAND ARGS...\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("maxrss: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("maxrss: exec");
    _exit(127);
  }
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) {
    perror("maxrss: wait4");
    return 2;
  }
  FILE *out = fopen(argv[1], "w");
  if (out) {
    fprintf(out, "%ld\n", usage.ru_maxrss);
    fclose(out);
  }
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
