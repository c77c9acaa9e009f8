/* jextract's entry for cuda.h (see docs/cuda.md, "Regenerating the bindings"): glibc's stdint.h by absolute path
 * first, because jextract puts its bundled clang headers before every -I folder and their stdint.h does not reach
 * glibc's through #include_next there. */
#include </usr/include/stdint.h>
#include <cuda.h>
