import type { RegisterDef } from '../serial/protocol';

const u = (addr: number, size: 1 | 2 | 4): RegisterDef => ({ addr, size, sign: { kind: 'unsigned' } });
const s = (addr: number, size: 1 | 2 | 4): RegisterDef => ({ addr, size, sign: { kind: 'twos' } });

/** Dynamixel X-series control table (ROBOTIS e-Manual; the addresses LeRobot uses for Koch arms). */
export const X_SERIES_CONTROL_TABLE = {
  Model_Number: u(0, 2),
  Model_Information: u(2, 4),
  Firmware_Version: u(6, 1),
  ID: u(7, 1),
  Baud_Rate: u(8, 1),
  Return_Delay_Time: u(9, 1),
  Drive_Mode: u(10, 1),
  Operating_Mode: u(11, 1),
  Secondary_ID: u(12, 1),
  Protocol_Type: u(13, 1),
  Homing_Offset: s(20, 4),
  Moving_Threshold: u(24, 4),
  Temperature_Limit: u(31, 1),
  Max_Voltage_Limit: u(32, 2),
  Min_Voltage_Limit: u(34, 2),
  PWM_Limit: u(36, 2),
  Current_Limit: u(38, 2),
  Acceleration_Limit: u(40, 4),
  Velocity_Limit: u(44, 4),
  Max_Position_Limit: u(48, 4),
  Min_Position_Limit: u(52, 4),
  Shutdown: u(63, 1),
  Torque_Enable: u(64, 1),
  LED: u(65, 1),
  Status_Return_Level: u(68, 1),
  Registered_Instruction: u(69, 1),
  Hardware_Error_Status: u(70, 1),
  Velocity_I_Gain: u(76, 2),
  Velocity_P_Gain: u(78, 2),
  Position_D_Gain: u(80, 2),
  Position_I_Gain: u(82, 2),
  Position_P_Gain: u(84, 2),
  Feedforward_2nd_Gain: u(88, 2),
  Feedforward_1st_Gain: u(90, 2),
  Bus_Watchdog: u(98, 1),
  Goal_PWM: s(100, 2),
  Goal_Current: s(102, 2),
  Goal_Velocity: s(104, 4),
  Profile_Acceleration: u(108, 4),
  Profile_Velocity: u(112, 4),
  Goal_Position: s(116, 4),
  Realtime_Tick: u(120, 2),
  Moving: u(122, 1),
  Moving_Status: u(123, 1),
  Present_PWM: s(124, 2),
  Present_Current: s(126, 2),
  Present_Velocity: s(128, 4),
  Present_Position: s(132, 4),
  Velocity_Trajectory: s(136, 4),
  Position_Trajectory: s(140, 4),
  Present_Input_Voltage: u(144, 2),
  Present_Temperature: u(146, 1),
} as const satisfies Record<string, RegisterDef>;

export type XRegister = keyof typeof X_SERIES_CONTROL_TABLE;

/** Addresses below this are EEPROM (writable only with torque off). */
export const X_EEPROM_END = 64;
export const X_RESOLUTION = 4096;

/** Model numbers of the motors in Koch arms. */
export const DYNAMIXEL_MODELS = {
  'xl330-m077': 1190,
  'xl330-m288': 1200,
  'xl430-w250': 1060,
  'xm430-w350': 1020,
} as const;

/** Baud_Rate register code -> baud. */
export const X_BAUD_CODES: Readonly<Record<number, number>> = {
  0: 9_600,
  1: 57_600,
  2: 115_200,
  3: 1_000_000,
  4: 2_000_000,
  5: 3_000_000,
  6: 4_000_000,
};
