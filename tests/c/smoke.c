/* Calls the exokit cdylib through bindings/c/exokit.h, as any C consumer would.
 * Built and run by tests/c_smoke.rs; prints the version, then the API guard hash. */
#include <inttypes.h>
#include <stdio.h>

#include "exokit.h"
#include "exokit.h" /* twice on purpose: the include guard must hold */

int main(void) {
    String version = exokit_version();
    printf("exokit %.*s\n", (int)version.len, (const char *)version.ptr);
    if (interoptopus_string_destroy(version) != 0) {
        fprintf(stderr, "interoptopus_string_destroy failed\n");
        return 1;
    }
    printf("%" PRIu64 "\n", __api_guard());
    return 0;
}
