# Cross-build of core/ for a 32-bit microcontroller (Cortex-M4, -Os, newlib): the check that
# core/ has no OS calls and stays small enough for the ESP32 port.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(AIRLAB_MCU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${AIRLAB_MCU_FLAGS}")
# -Wno-psabi: GCC notes that 7.1 changed how spans of 8-byte structs are passed; every
# object of the image is built by this one compiler, so the note is noise in the size build.
set(CMAKE_CXX_FLAGS_INIT "${AIRLAB_MCU_FLAGS} -fno-threadsafe-statics -Wno-psabi")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
