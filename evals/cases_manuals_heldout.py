"""Held-out manual questions (same format as evals/cases_manuals.py, other sections).

Kept out of all threshold tuning: used only to check that settings tuned on the
development set still hold on retrieval and abstention questions nobody tuned on.
"""

CASES: list[dict] = [
    # --- procedure: the answer is a numbered or step list ----------------------
    {
        "id": "ho-px4-accel-cal",
        "kind": "procedure",
        "question": "moved the flight controller to a new mount on the quad, how do "
        "I redo the accel cal?",
        "document": "px4-user-guide/accelerometer.md",
        "section": "Performing the Calibration",
        "evidence": "Once prompted (the orientation-image turns yellow) hold the "
        "vehicle still.",
    },
    {
        "id": "ho-klipper-probe-xy-offset",
        "kind": "procedure",
        "question": "just fitted a bltouch, how do I work out its x/y offset from "
        "the nozzle?",
        "document": "klipper/Probe_Calibrate.md",
        "section": "Calibrating probe X and Y offsets",
        "evidence": "The x_offset is then the `nozzle_x_position - "
        "probe_x_position` and",
    },
    {
        "id": "ho-z2m-netvox-reset",
        "kind": "procedure",
        "question": "how do I factory reset the netvox Z809A socket so it joins "
        "zigbee2mqtt?",
        "document": "zigbee2mqtt/pairing_devices.md",
        "section": "Netvox power socket",
        "evidence": "Press and hold the Binding Key for 15 seconds.",
    },
    {
        "id": "ho-economizer-run-tests",
        "kind": "procedure",
        "question": "how do I run the test suite on the economizer agent?",
        "document": "volttron-economizer-rcx/README.rst",
        "section": "Python Testing",
        "evidence": "**Run Pytest From inside the economizer agent directory** - "
        "pytest ./test.py",
    },
    {
        "id": "ho-klipper-upgrade",
        "kind": "procedure",
        "question": "what's the right way to update klipper, both the pi and the "
        "board?",
        "document": "klipper/FAQ.md",
        "section": "How do I upgrade to the latest software?",
        "evidence": "Then one can recompile and flash the micro-controller code.",
    },
    {
        "id": "ho-airside-install",
        "kind": "procedure",
        "question": "command to install and start the airside AIRCx agent on the "
        "volttron box?",
        "document": "volttron-airside-rcx/README.rst",
        "section": "Running Agent",
        "evidence": "python scripts/install-agent.py -s /path/to/airside/agent",
    },
    # --- error: a message read off a screen, what it means / how to fix it ----
    {
        "id": "ho-vfs11-blinking-e",
        "kind": "error",
        "question": "toshiba VFD on the lathe has a blinking E on the panel, how do "
        "I clear it from linuxcnc?",
        "document": "linuxcnc/vfs11_vfd.1.adoc",
        "section": "PINS",
        "evidence": "Use _err-reset_ to reboot the VFD and clear the e-stop status.",
    },
    {
        "id": "ho-klipper-avr-restart-hang",
        "kind": "error",
        "question": "mega2560 board locks up with the LEDs blinking after every "
        "restart, only a power cycle brings it back",
        "document": "klipper/FAQ.md",
        "section": "When I set restart_method=command my AVR device just hangs on "
        "a restart",
        "evidence": 'The workaround is to use a restart_method other than "command"',
    },
    {
        "id": "ho-z2m-gledopto-undefined",
        "kind": "error",
        "question": "gledopto LED controller joined but z2m shows the modelID as "
        "undefined",
        "document": "zigbee2mqtt/pairing_devices.md",
        "section": "Gledopto",
        "evidence": "repair the device while keeping it close to the coordinator",
    },
    {
        "id": "ho-emontx-webtool-upload-fails",
        "kind": "error",
        "question": "emonTx4 web serial tool keeps failing when I try to save the "
        "config over the usb-c lead",
        "document": "openenergymonitor-emontx4/configuration.md",
        "section": "Using the web tool",
        "evidence": "Try turning the USB-C connector around if upload fails.",
    },
    {
        "id": "ho-px4-accel-bias",
        "kind": "error",
        "question": "QGC won't let me arm, keeps saying high accelerometer bias",
        "document": "px4-user-guide/accelerometer.md",
        "section": "Accelerometer Calibration",
        "evidence": "Poor accelerometer calibration is generally caught by "
        "preflight checks",
    },
    {
        "id": "ho-telecom-apn-incorrect",
        "kind": "error",
        "question": "customer has no service and check_apn_settings comes back "
        "Incorrect, what now?",
        "document": "telecom/tech_support_manual.md",
        "section": "Incorrect APN Settings",
        "evidence": 'shows "Incorrect", guide the user to use `reset_apn_settings()`',
    },
    # --- parameter: a named setting, its meaning, default or range -------------
    {
        "id": "ho-px4-v-load-drop",
        "kind": "parameter",
        "question": "no current sensor on this drone, what do I put in "
        "BAT1_V_LOAD_DROP?",
        "document": "px4-user-guide/battery.md",
        "section": "Thrust-based Load Compensation",
        "evidence": "to how much voltage drop a cell shows under the load of full "
        "throttle",
    },
    {
        "id": "ho-vfdb-parity",
        "kind": "parameter",
        "question": "what parity does vfdb_vfd use if PARITY isn't in the ini?",
        "document": "linuxcnc/vfdb_vfd.1.adoc",
        "section": "INI CONFIG VARIABLES",
        "evidence": "Modbus parity. Defaults to Even.",
    },
    {
        "id": "ho-hy-vfd-at-speed-tol",
        "kind": "parameter",
        "question": "how close does the huanyang spindle have to get before "
        "at-speed goes true?",
        "document": "linuxcnc/hy_vfd.1.adoc",
        "section": "PINS",
        "evidence": "The default `.spindle-at-speed-tolerance` is 0.02",
    },
    {
        "id": "ho-z2m-default-channel",
        "kind": "parameter",
        "question": "what zigbee channel is z2m on out of the box?",
        "document": "zigbee2mqtt/configuration.md",
        "section": "Configuration",
        "evidence": "channel: 11",
    },
    {
        "id": "ho-bacnet-bacpypes-version",
        "kind": "parameter",
        "question": "which bacpypes version does the volttron bacnet driver need?",
        "document": "volttron/bacnet-driver.rst",
        "section": "Requirements",
        "evidence": "Current versions of VOLTTRON support **only** BACPypes version "
        "0.16.7",
    },
    {
        "id": "ho-modbus-tk-default-port",
        "kind": "parameter",
        "question": "moved an old modbus driver config over to modbus-tk with no "
        "port in it, will it still use 502?",
        "document": "volttron/modbus-tk-driver.rst",
        "section": "Modbus-TK Driver Configuration",
        "evidence": "If the config file has no ``port``, the default is 0, not 502.",
    },
    {
        "id": "ho-emontx-ds18b20-resolution",
        "kind": "parameter",
        "question": "what resolution does the emontx4 firmware read the pipe "
        "temp sensors at?",
        "document": "openenergymonitor-emontx4/heatpumpmonitor.md",
        "section": "Temperature sensing error",
        "evidence": "The default resolution set in the firmware is 11-bit",
    },
    # --- table: the answer is a table row ---------------------------------------
    {
        "id": "ho-mpu6050-rpi-sda",
        "kind": "table",
        "question": "hooking an MPU-6050 to the pi over i2c for input shaping, "
        "which header pin is SDA?",
        "document": "klipper/Measuring_Resonances.md",
        "section": "MPU-9250/MPU-9255/MPU-6515/MPU-6050/MPU-6500/ICM20948",
        "evidence": "| SDA | 03 | GPIO02 (SDA1) |",
    },
    {
        "id": "ho-openhab-thing-unknown",
        "kind": "table",
        "question": "openHAB thing has been sitting at UNKNOWN since restart, is "
        "that broken?",
        "document": "openhab-docs/things.md",
        "section": "Thing Status",
        "evidence": "it cannot really tell yet whether the Thing is ONLINE or OFFLINE",
    },
    {
        "id": "ho-z2m-setpoint-raise-both",
        "kind": "table",
        "question": "bitron wall stat via z2m, which setpoint_raise_lower mode "
        "bumps heat and cool setpoints together?",
        "document": "zigbee2mqtt/mqtt_topics_and_message_structure.md",
        "section": "eCozy Smart heating thermostat (1TST-EU), Bitron Wireless wall "
        "thermostat with relay (AV2010/32)",
        "evidence": "0x02            | Both (adjust Heat Setpoint and Cool Setpoint)",
    },
    {
        "id": "ho-modbus-tk-sample-float",
        "kind": "table",
        "question": "in the modbus-tk example register map, what address and "
        "table is sample_float on?",
        "document": "volttron/modbus-tk-driver.rst",
        "section": "Modbus-TK Register Map CSV File",
        "evidence": "sample_float,10,float,None,TRUE,0.0,scale(10),"
        "analog_output_holding_registers",
    },
    # --- list: the answer is a bulleted or numbered list, not a procedure ------
    {
        "id": "ho-modbus-tk-load-volttron",
        "kind": "list",
        "question": "which config_cmd.py command pushes a driver config into a "
        "running volttron?",
        "document": "volttron/modbus-tk-driver.rst",
        "section": "Modbus-TK Config Command Tool",
        "evidence": "``load_volttron`` - Load a driver config and CSV into VOLTTRON.",
    },
    {
        "id": "ho-telecom-data-cap",
        "kind": "list",
        "question": "customer's used up all their data for the month, what can we "
        "offer them?",
        "document": "telecom/tech_support_manual.md",
        "section": "Data Plan Limits Reached",
        "evidence": 'Add more data to the line by "refueling" data at a price per GB',
    },
    {
        "id": "ho-px4-liion-downsides",
        "kind": "list",
        "question": "thinking of putting li-ion packs on the survey drone, what are "
        "the downsides?",
        "document": "px4-user-guide/battery.md",
        "section": "Disadvantages:",
        "evidence": "Requires more stringent temperature monitoring during charge "
        "and discharge",
    },
    {
        "id": "ho-emontx-data-links",
        "kind": "list",
        "question": "what ways can the emontx4 heat pump monitor send its data back?",
        "document": "openenergymonitor-emontx4/heatpumpmonitor.md",
        "section": "5. Basestation or Wi-Fi adapter",
        "evidence": "433 MHz radio to a receiving emonBase basestation or emonPi.",
    },
    {
        "id": "ho-klipper-accel-wiring-checks",
        "kind": "list",
        "question": "accelerometer on a long cable keeps throwing SPI errors, what "
        "should I check?",
        "document": "klipper/Measuring_Resonances.md",
        "section": "Wiring",
        "evidence": "Correct connections when turned off (continuity)",
    },
    # --- none: no manual in the folder answers these ----------------------------
    {
        "id": "ho-none-bambu-hms",
        "kind": "none",
        "question": "Bambu X1C popped up HMS_0300_0100_0001_0007, what's that?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-klipper-pid",
        "kind": "none",
        "question": "how do I PID tune the hotend on the klipper printer?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-dji-battery-cycles",
        "kind": "none",
        "question": "how many charge cycles before we retire the TB65 packs on the "
        "Matrice 350?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-huanyang-oc",
        "kind": "none",
        "question": "what does fault code OC-1 on the huanyang display mean?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-sonoff-pairing",
        "kind": "none",
        "question": "how do I get a Sonoff SNZB-02 temp sensor into pairing mode?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-sdm630-register",
        "kind": "none",
        "question": "which modbus register is total import kWh on the Eastron SDM630?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-volttron-ilc",
        "kind": "none",
        "question": "how do I set up the volttron ILC agent to shed load at peak "
        "demand?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-boiler-lwco",
        "kind": "none",
        "question": "how often should we test the low water cutoff on the steam "
        "boiler?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-chiller-charge",
        "kind": "none",
        "question": "how much R-134a goes in circuit B of the Carrier 30XA chiller?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-forklift-water",
        "kind": "none",
        "question": "how often do I top up the water in the electric forklift "
        "batteries?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "ho-none-fire-panel",
        "kind": "none",
        "question": "fire panel is showing a ground fault trouble, how do I track "
        "it down?",
        "document": None,
        "section": None,
        "evidence": None,
    },
]
