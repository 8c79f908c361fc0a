import type { RegisterDef } from '../serial/protocol';

const u = (addr: number, size: 1 | 2 | 4): RegisterDef => ({ addr, size, sign: { kind: 'unsigned' } });
const sm = (addr: number, size: 1 | 2 | 4, bit: number): RegisterDef => ({
  addr,
  size,
  sign: { kind: 'magnitude', bit },
});

/** STS3215 / STS-SMS control table (LeRobot `tables.py`, Feetech memory map). */
export const STS_CONTROL_TABLE = {
  Firmware_Major_Version: u(0, 1),
  Firmware_Minor_Version: u(1, 1),
  Model_Number: u(3, 2),
  ID: u(5, 1),
  Baud_Rate: u(6, 1),
  Return_Delay_Time: u(7, 1),
  Response_Status_Level: u(8, 1),
  Min_Position_Limit: u(9, 2),
  Max_Position_Limit: u(11, 2),
  Max_Temperature_Limit: u(13, 1),
  Max_Voltage_Limit: u(14, 1),
  Min_Voltage_Limit: u(15, 1),
  Max_Torque_Limit: u(16, 2),
  Phase: u(18, 1),
  Unloading_Condition: u(19, 1),
  LED_Alarm_Condition: u(20, 1),
  P_Coefficient: u(21, 1),
  D_Coefficient: u(22, 1),
  I_Coefficient: u(23, 1),
  Minimum_Startup_Force: u(24, 2),
  CW_Dead_Zone: u(26, 1),
  CCW_Dead_Zone: u(27, 1),
  Protection_Current: u(28, 2),
  Angular_Resolution: u(30, 1),
  Homing_Offset: sm(31, 2, 11),
  Operating_Mode: u(33, 1),
  Protective_Torque: u(34, 1),
  Protection_Time: u(35, 1),
  Overload_Torque: u(36, 1),
  Torque_Enable: u(40, 1),
  Acceleration: u(41, 1),
  Goal_Position: sm(42, 2, 15),
  Goal_Time: u(44, 2),
  Goal_Velocity: sm(46, 2, 15),
  Torque_Limit: u(48, 2),
  Lock: u(55, 1),
  Present_Position: sm(56, 2, 15),
  Present_Velocity: sm(58, 2, 15),
  Present_Load: sm(60, 2, 10),
  Present_Voltage: u(62, 1),
  Present_Temperature: u(63, 1),
  Status: u(65, 1),
  Moving: u(66, 1),
  Present_Current: u(69, 2),
  Maximum_Acceleration: u(85, 1),
} as const satisfies Record<string, RegisterDef>;

export type StsRegister = keyof typeof STS_CONTROL_TABLE;

/** Addresses below this are EEPROM (kept across power cycles; writes need Lock=0). */
export const STS_EEPROM_END = 40;

export const STS3215_MODEL = 777;
export const STS_RESOLUTION = 4096;

/** Baud_Rate register code -> baud. */
export const STS_BAUD_CODES: Readonly<Record<number, number>> = {
  0: 1_000_000,
  1: 500_000,
  2: 250_000,
  3: 128_000,
  4: 115_200,
  5: 57_600,
  6: 38_400,
  7: 19_200,
};
