# Compiler flags. Warnings on everywhere; the code base is kept at zero warnings.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
                    -Wmissing-prototypes -Wformat=2)
if(SF_WERROR)
  add_compile_options(-Werror)
endif()
if(SF_NATIVE)
  add_compile_options(-march=native)
endif()
if(SF_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# No code reads errno after a math function and none traps on FP exceptions;
# saying so lets GCC vectorise sqrt/select loops (recon, potentials).
add_compile_options(-fno-math-errno -fno-trapping-math)
