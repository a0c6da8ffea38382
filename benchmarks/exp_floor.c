/* The cost of one glibc exp() call in a dependent loop: the floor for a quadrature point that
   needs k exp calls is about k times this. Compiled and run by offswitch_sweep.py. */
#include <math.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    const long n = 50000000;
    volatile double sink = 0;
    double x = 0.1, acc = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        acc += exp(-x);
        x += 1e-9;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    sink = acc;
    double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
    printf("%.3f\n", ns);
    return sink < 0;
}
