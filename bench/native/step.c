// Native MuJoCo stepping benchmark: the C half of bench/sim-physics.ts.
// Usage: step <model.xml> <nsteps> [ctrl0 ctrl1 ...]
// Loads the MJCF, resets, holds the given controls, runs nsteps of mj_step, prints
// "version <v>", "seconds <wall>", "cpu_seconds <process CPU>", "qpos <values...>" on stdout.
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s model.xml nsteps [ctrl...]\n", argv[0]);
    return 2;
  }
  char error[1000] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof(error));
  if (!m) {
    fprintf(stderr, "MuJoCo %s could not load %s: %s\n", mj_versionString(), argv[1], error);
    return 1;
  }
  mjData* d = mj_makeData(m);
  long nsteps = atol(argv[2]);
  mj_resetData(m, d);
  for (int i = 0; i < m->nu && 3 + i < argc; i++) d->ctrl[i] = atof(argv[3 + i]);
  double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  for (long i = 0; i < nsteps; i++) mj_step(m, d);
  double t1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  printf("version %s\n", mj_versionString());
  printf("seconds %.9f\n", t1 - t0);
  printf("cpu_seconds %.9f\n", c1 - c0);
  printf("qpos");
  for (int i = 0; i < m->nq; i++) printf(" %.17g", d->qpos[i]);
  printf("\n");
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
