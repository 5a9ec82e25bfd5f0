"""Retrieval questions over the demo site's equipment manuals, in technicians' words.

Each answerable case names the manual (relative to simulator/sites/demo/manuals/),
the heading of the smallest section holding the answer (markup stripped) and a
verbatim evidence string from that section; kind "none" cases have no answer there.
"""

CASES: list[dict] = [
    # --- procedure: the answer is a numbered or step list ----------------------
    {
        "id": "px4-compass-full-cal",
        "kind": "procedure",
        "question": "drone is toilet-bowling since we moved the GPS mast, how do I "
        "redo the full compass cal in QGC?",
        "document": "px4-user-guide/compass.md",
        "section": "Complete Calibration",
        "evidence": "rotate the vehicle around the specified axis in either/both "
        "directions",
    },
    {
        "id": "px4-airspeed-cal",
        "kind": "procedure",
        "question": "how do I zero the pitot / airspeed sensor on the fixed wing?",
        "document": "px4-user-guide/airspeed.md",
        "section": "Performing the Calibration",
        "evidence": "Shield the sensor from the wind (i.e. cup it with your hand).",
    },
    {
        "id": "px4-level-horizon",
        "kind": "procedure",
        "question": "quad keeps drifting in stabilized and the artificial horizon "
        "looks tilted, how do I level it out?",
        "document": "px4-user-guide/level_horizon_calibration.md",
        "section": "Performing the Calibration",
        "evidence": "Place the vehicle in its level flight orientation on a level "
        "surface",
    },
    {
        "id": "klipper-ringing-frequency",
        "kind": "procedure",
        "question": "printed the ringing tower, how do I work out the ringing freq "
        "from it?",
        "document": "klipper/Resonance_Compensation.md",
        "section": "Ringing frequency",
        "evidence": "Compute the ringing frequency of X axis as *V* &middot; *N* / "
        "*D* (Hz)",
    },
    {
        "id": "klipper-sensorless-tuning",
        "kind": "procedure",
        "question": "what are the steps to get sensorless homing going on X with a "
        "tmc2209?",
        "document": "klipper/TMC_Drivers.md",
        "section": "Tuning",
        "evidence": "Find the stallguard setting with highest sensitivity that",
    },
    {
        "id": "z2m-tradfri-remote-e1524",
        "kind": "procedure",
        "question": "IKEA remote E1524 pairs but zigbee2mqtt never sees the button "
        "presses, how do I set it up?",
        "document": "zigbee2mqtt/pairing_devices.md",
        "section": "IKEA TRADFRI remote control (E1524)",
        "evidence": "Retrieve the group from the message, which is `0xeb12` in the "
        "above example.",
    },
    {
        "id": "emontx-pipe-sensor-mounting",
        "kind": "procedure",
        "question": "best way to strap the DS18B20s onto the flow and return pipes "
        "without draining the system?",
        "document": "openenergymonitor-emontx4/heatpumpmonitor.md",
        "section": "Temperature sensor installation",
        "evidence": "Remove the rubber heat shrink cover from the bottom end of the "
        "DS18B20",
    },
    {
        "id": "vfdb-keypad-setup",
        "kind": "procedure",
        "question": "new Delta VFD-B won't talk to LinuxCNC at all, what do I have "
        "to change on the keypad first?",
        "document": "linuxcnc/vfdb_vfd.1.adoc",
        "section": "QUICK START",
        "evidence": "Switch parameter 09-04 from the factory default of 0 (Ascii "
        "framing)",
    },
    # --- error: a message read off a screen, what it means / how to fix it ----
    {
        "id": "px4-mag-inconsistent",
        "kind": "error",
        "question": "QGC keeps saying mag sensors inconsistent, what's wrong with it?",
        "document": "px4-user-guide/compass.md",
        "section": "Overview",
        "evidence": "Indications of a poor compass calibration include",
    },
    {
        "id": "klipper-tmc-uart-ifcnt",
        "kind": "error",
        "question": "klipper won't start: Unable to read tmc uart 'stepper_x' "
        "register IFCNT. what do I check?",
        "document": "klipper/TMC_Drivers.md",
        "section": "I keep getting \"Unable to read tmc uart 'stepper_x' register "
        'IFCNT" errors?',
        "evidence": "Make sure that the motor power is enabled",
    },
    {
        "id": "klipper-tmc-overtemp",
        "kind": "error",
        "question": "print died with TMC reports error: ot=1(OvertempError!) on the "
        "X driver, what do I do?",
        "document": "klipper/TMC_Drivers.md",
        "section": "TMC reports error: ... ot=1(OvertempError!)",
        "evidence": "Typical solutions are to decrease the stepper motor current",
    },
    {
        "id": "klipper-lost-comm-mcu",
        "kind": "error",
        "question": 'printer keeps dropping out with "Lost communication with MCU" '
        "mid-print, where do I start?",
        "document": "klipper/FAQ.md",
        "section": 'I keep getting random "Lost communication with MCU" errors',
        "evidence": "Use a good quality USB cable between the host machine and",
    },
    {
        "id": "klipper-can-no-buffer",
        "kind": "error",
        "question": "klippy.log is full of 'Got error -1 in can write: (105)No "
        "buffer space available', is that bad?",
        "document": "klipper/CANBUS_Troubleshooting.md",
        "section": "Use an appropriate txqueuelen setting",
        "evidence": "with a `txqueuelen 128` to increase that size.",
    },
    {
        "id": "hy-vfd-permission-denied",
        "kind": "error",
        "question": "hy_vfd won't load, says ERROR Can't open the device "
        "/dev/ttyUSB0 (errno 13)",
        "document": "linuxcnc/hy_vfd.1.adoc",
        "section": "DESCRIPTION",
        "evidence": "*sudo addgroup your-username dialout*",
    },
    {
        "id": "klipper-adxl-invalid-id",
        "kind": "error",
        "question": "ACCELEROMETER_QUERY comes back with Invalid adxl345 id (got 00 "
        "vs e5), is the sensor dead?",
        "document": "klipper/Measuring_Resonances.md",
        "section": "Checking the setup",
        "evidence": "is some other ID, immediately try again",
    },
    {
        "id": "z2m-node-descriptor",
        "kind": "error",
        "question": "aqara sensor won't join, log shows Cannot get the Node "
        "Descriptor of the Device",
        "document": "zigbee2mqtt/pairing_devices.md",
        "section": "Xiaomi",
        "evidence": "you should try a different pairing method",
    },
    {
        "id": "klipper-not-valid-adc-pin",
        "kind": "error",
        "question": "moved the hotend thermistor to a spare pin and now klipper says "
        '"Not a valid ADC pin"',
        "document": "klipper/FAQ.md",
        "section": "Do I have to wire my device to a specific type of "
        "micro-controller pin?",
        "evidence": 'the device must be wired to an "analog" or "ADC" capable pin',
    },
    {
        "id": "telecom-sim-locked",
        "kind": "error",
        "question": "customer's SIM status shows Locked after too many wrong PIN "
        "tries, what now?",
        "document": "telecom/tech_support_manual.md",
        "section": "SIM Card Issues",
        "evidence": "**escalate to technical support for assistance with SIM "
        "security**",
    },
    # --- parameter: a named setting, its meaning, default or range -------------
    {
        "id": "px4-bat-r-internal",
        "kind": "parameter",
        "question": "what do I put in BAT1_R_INTERNAL if I can't measure the pack?",
        "document": "px4-user-guide/battery.md",
        "section": "Current-based Load Compensation (recommended)",
        "evidence": "A typical value is 5mΩ per cell",
    },
    {
        "id": "px4-bat-capacity",
        "kind": "parameter",
        "question": "BAT1_CAPACITY, do I just type in the mAh off the label?",
        "document": "px4-user-guide/battery.md",
        "section": "Voltage-based Estimation Fused with Current Integration",
        "evidence": "to around 90% of the advertised battery capacity",
    },
    {
        "id": "klipper-mcu-baud",
        "kind": "parameter",
        "question": "what baud should the klipper mcu be on? a guide online says "
        "115200",
        "document": "klipper/FAQ.md",
        "section": "How do I change the serial baud rate?",
        "evidence": "The recommended baud rate for Klipper is 250000.",
    },
    {
        "id": "bacnet-min-priority",
        "kind": "parameter",
        "question": "what's min_priority on the volttron bacnet driver if I leave "
        "it out of driver_config?",
        "document": "volttron/bacnet-driver.rst",
        "section": "Driver Config",
        "evidence": "point will result in an error.  Defaults to 8",
    },
    {
        "id": "modbus-tk-baudrate",
        "kind": "parameter",
        "question": "modbus-tk over RTU, what baud does it run if I don't set "
        "baudrate?",
        "document": "volttron/modbus-tk-driver.rst",
        "section": "Driver Configuration",
        "evidence": "Serial (RTU) baud rate. Defaults to 9600.",
    },
    {
        "id": "gs2-accel-seconds",
        "kind": "parameter",
        "question": "default spindle ramp-up time on gs2_vfd if I don't pass -A?",
        "document": "linuxcnc/gs2_vfd.1.adoc",
        "section": "OPTIONS",
        "evidence": "Seconds to accelerate the spindle from 0 to Max RPM (default "
        "10.0).",
    },
    {
        "id": "hy-vfd-pd164",
        "kind": "parameter",
        "question": "what do I set PD164 to on the Huanyang so it matches hy_vfd?",
        "document": "linuxcnc/hy_vfd.1.adoc",
        "section": "DESCRIPTION",
        "evidence": "Set register PD164 (baud rate) to 2 (19200 bps).",
    },
    {
        "id": "z2m-occupancy-timeout",
        "kind": "parameter",
        "question": "how long after motion stops does z2m send occupancy false if "
        "occupancy_timeout isn't set?",
        "document": "zigbee2mqtt/device_specific_configuration.md",
        "section": "Device type specific",
        "evidence": "If not set, the timeout is `90` seconds.",
    },
    {
        "id": "emontx-rf-power",
        "kind": "parameter",
        "question": "what's the default rf power on the emonTx4, the p serial command?",
        "document": "openenergymonitor-emontx4/configuration.md",
        "section": "Directly via serial",
        "evidence": "Default: 25 (+7 dBm)",
    },
    {
        "id": "economizer-temp-diff-thr",
        "kind": "parameter",
        "question": "what's temp_difference_threshold set to in the economizer "
        "agent's sample config?",
        "document": "volttron-economizer-rcx/README.rst",
        "section": "Configuration Options",
        "evidence": '"temp_difference_threshold": 4.0',
    },
    {
        "id": "airside-max-duct-stcpr-stpt",
        "kind": "parameter",
        "question": "highest duct static setpoint the airside agent will go to, "
        "max_duct_stcpr_stpt?",
        "document": "volttron-airside-rcx/README.rst",
        "section": "Configuration Options",
        "evidence": '"max_duct_stcpr_stpt": 2.5',
    },
    # --- table: the answer is a table row ---------------------------------------
    {
        "id": "px4-4s-voltage",
        "kind": "table",
        "question": "what's the nominal voltage of a 4S lipo?",
        "document": "px4-user-guide/battery.md",
        "section": "Number of Cells (in Series)",
        "evidence": "| 4S    | 14.8     | 14.8      |",
    },
    {
        "id": "px4-liion-min-cell",
        "kind": "table",
        "question": "how low can li-ion cells go under load before they're really "
        "empty?",
        "document": "px4-user-guide/battery.md",
        "section": "Empty Voltage (per cell)",
        "evidence": '| "Real" minimum (voltage under load/while flying) | 3.5      '
        "| 2.7       |",
    },
    {
        "id": "adxl345-rpi-cs-pin",
        "kind": "table",
        "question": "which Pi header pin does the ADXL345 CS wire go on?",
        "document": "klipper/Measuring_Resonances.md",
        "section": "Direct to Raspberry Pi",
        "evidence": "| CS | 24 | GPIO08 (SPI0_CE0_N) |",
    },
    {
        "id": "klipper-ei-tolerance",
        "kind": "table",
        "question": "how far off can my resonance freq be with the EI shaper and "
        "still get 20x less vibration?",
        "document": "klipper/Resonance_Compensation.md",
        "section": "Input shapers",
        "evidence": "| EI | 1 / shaper_freq | ± 20% shaper_freq | ± 25% shaper_freq |",
    },
    {
        "id": "openhab-warn-weight",
        "kind": "table",
        "question": "what's the numeric weight of WARN in openHAB logging?",
        "document": "openhab-docs/logging.md",
        "section": "Defining what to log",
        "evidence": "| WARN      | 300        |",
    },
    {
        "id": "openhab-log-tail",
        "kind": "table",
        "question": "which console command lets me watch the openHAB log live?",
        "document": "openhab-docs/logging.md",
        "section": "Console",
        "evidence": "Continuously display log entries. Use ctrl-c to quit this command",
    },
    {
        "id": "openhab-bridge-offline",
        "kind": "table",
        "question": "thing shows OFFLINE - BRIDGE_OFFLINE in openHAB, what does that "
        "mean?",
        "document": "openhab-docs/things.md",
        "section": "Status Details",
        "evidence": "Assuming the Thing to be offline because the corresponding "
        "bridge is offline.",
    },
    {
        "id": "bacnet-return-air-humidity-index",
        "kind": "table",
        "question": "in the volttron bacnet fan coil example, what's the index for "
        "ReturnAirHumidity?",
        "document": "volttron/bacnet-driver.rst",
        "section": "BACnet Registry Configuration File",
        "evidence": "presentValue,FALSE,3000124",
    },
    {
        "id": "z2m-hue-power-on-recover",
        "kind": "table",
        "question": "how do I get the hue bulbs to come back how they were after a "
        "power cut?",
        "document": "zigbee2mqtt/mqtt_topics_and_message_structure.md",
        "section": "Philips Hue power-on behavior",
        "evidence": "recover | last running state after power loss",
    },
    # --- list: the answer is a bulleted or numbered list, not a procedure ------
    {
        "id": "telecom-mms-causes",
        "kind": "list",
        "question": "customer can't send picture messages, what are the usual "
        "culprits?",
        "document": "telecom/tech_support_manual.md",
        "section": "Common MMS Issues and Causes",
        "evidence": "**Incorrect APN Settings**: Specifically, a missing or "
        "incorrect MMSC URL.",
    },
    {
        "id": "klipper-bytes-invalid",
        "kind": "list",
        "question": "bytes_invalid keeps climbing on the CAN toolboard, what do I "
        "need to update?",
        "document": "klipper/CANBUS_Troubleshooting.md",
        "section": "Check for incrementing bytes_invalid counter",
        "evidence": "Use a Linux kernel version 6.6.0 or later.",
    },
    {
        "id": "klipper-sensorless-prereqs",
        "kind": "list",
        "question": "what hardware do I need before I can try sensorless homing?",
        "document": "klipper/TMC_Drivers.md",
        "section": "Prerequisites",
        "evidence": "A stallGuard capable TMC stepper driver (tmc2130, tmc2209, "
        "tmc2660,",
    },
    {
        "id": "emontx-default-cts",
        "kind": "list",
        "question": "what CTs is the emonTx4 set up for out of the box on inputs 4 "
        "to 6?",
        "document": "openenergymonitor-emontx4/configuration.md",
        "section": "Default configuration",
        "evidence": "**CT 4:** 20A 0.333V (Ical: 20.0, Ilead: 3.2)",
    },
    {
        "id": "emontx-heatpump-kit",
        "kind": "list",
        "question": "parts list for a heat pump monitor built on the emonTx4?",
        "document": "openenergymonitor-emontx4/heatpumpmonitor.md",
        "section": "Hardware",
        "evidence": "2x+ DS18B20 temperature sensors",
    },
    {
        "id": "z2m-bridge-log-types",
        "kind": "list",
        "question": "what kinds of messages come out on zigbee2mqtt/bridge/log?",
        "document": "zigbee2mqtt/mqtt_topics_and_message_structure.md",
        "section": "zigbee2mqtt/bridge/log",
        "evidence": '`"device_banned"`: send when a device is banned from the network.',
    },
    {
        "id": "airside-diagnostics",
        "kind": "list",
        "question": "which AHU faults does the airside AIRCx agent look for?",
        "document": "volttron-airside-rcx/README.rst",
        "section": "Featured Processes",
        "evidence": "**Low Duct Static Pressure AIRCx**",
    },
    {
        "id": "economizer-diagnostics",
        "kind": "list",
        "question": "what does the economizer RCx agent actually check on the "
        "rooftop units?",
        "document": "volttron-economizer-rcx/README.rst",
        "section": "Featured Diagnostics",
        "evidence": "**Excess Outdoor-air Intake AIRCx**",
    },
    # --- none: no manual in the folder answers these ----------------------------
    {
        "id": "none-sinamics-fault",
        "kind": "none",
        "question": "what does fault F07801 mean on the Sinamics G120 drive?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-atlas-copco-filter",
        "kind": "none",
        "question": "how often do I change the intake filter on the Atlas Copco GA37?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-compactlogix-firmware",
        "kind": "none",
        "question": "how do I flash new firmware onto the Allen-Bradley CompactLogix?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-yaskawa-alarm",
        "kind": "none",
        "question": "Yaskawa servo pack is showing A.C90, what's that?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-hydraulic-bleed",
        "kind": "none",
        "question": "how do I bleed the air out of the hydraulic press cylinder?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-cooling-tower-ph",
        "kind": "none",
        "question": "how do I calibrate the pH probe on the cooling tower dosing skid?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-conveyor-loto",
        "kind": "none",
        "question": "what's the lockout/tagout sequence before I open up the conveyor?",
        "document": None,
        "section": None,
        "evidence": None,
    },
    {
        "id": "none-genset-oil-change",
        "kind": "none",
        "question": "how many run hours between oil changes on the Caterpillar genset?",
        "document": None,
        "section": None,
        "evidence": None,
    },
]
