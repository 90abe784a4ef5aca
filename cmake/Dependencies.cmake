# Third-party libraries, all from Debian 12 packages (see tools/debian-packages.txt).
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFTW3F REQUIRED IMPORTED_TARGET fftw3f)
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
find_package(GSL REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS C)
find_package(PNG REQUIRED)
set(HDF5_PREFER_PARALLEL OFF)
find_package(HDF5 REQUIRED COMPONENTS C)
pkg_check_modules(CRITERION REQUIRED IMPORTED_TARGET criterion)
pkg_check_modules(LIBXC IMPORTED_TARGET libxc)

# FFTW's OpenMP variants have no pkg-config file of their own.
find_library(FFTW3F_OMP_LIB NAMES fftw3f_omp REQUIRED)
find_library(FFTW3_OMP_LIB NAMES fftw3_omp REQUIRED)
find_library(MATH_LIB m REQUIRED)

add_library(sf_deps INTERFACE)
target_include_directories(sf_deps INTERFACE ${HDF5_C_INCLUDE_DIRS})
# POSIX 2008 + XSI interfaces (clock_gettime, posix_memalign, nftw, strdup) under -std=c17.
target_compile_definitions(sf_deps INTERFACE ${HDF5_C_DEFINITIONS} _XOPEN_SOURCE=700)
target_link_libraries(sf_deps INTERFACE
  ${FFTW3F_OMP_LIB} ${FFTW3_OMP_LIB} PkgConfig::FFTW3F PkgConfig::FFTW3
  GSL::gsl GSL::gslcblas OpenMP::OpenMP_C PNG::PNG ${HDF5_C_LIBRARIES} ${MATH_LIB})
if(LIBXC_FOUND)
  target_link_libraries(sf_deps INTERFACE PkgConfig::LIBXC)
  target_compile_definitions(sf_deps INTERFACE SF_HAVE_LIBXC=1)
endif()
