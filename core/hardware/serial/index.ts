/** Public API of the serial servo-bus area: buses, arms, calibration, teleop, virtual arms, ports. */
export type { ArmMotor, ArmSpec } from '../arms/arm-spec';
export {
  KochFollower,
  KochLeader,
  SO100Follower,
  SO100Leader,
  SO101Follower,
  SO101Leader,
} from '../arms/arms';
export {
  type Calibration,
  calibrationPath,
  loadCalibration,
  type MotorCalibration,
  type NormMode,
  normalize,
  saveCalibration,
  unnormalize,
} from '../arms/calibration';
export { CalibrationFlow, type CalibrationPrompt, type CalibrationStep } from '../arms/calibration-flow';
export { KOCH_FOLLOWER, KOCH_LEADER } from '../arms/koch';
export { setupMotor, setupOrder } from '../arms/motor-setup';
export { ServoArmFollower, ServoArmLeader, type ServoArmOptions } from '../arms/servo-arm';
export { SO101_FOLLOWER, SO101_LEADER } from '../arms/so101';
export { So101Kinematics, type ToolPose } from '../arms/so101-kinematics';
export { DynamixelBus } from '../dynamixel/bus';
export { dynamixelProtocol } from '../dynamixel/protocol';
export { FeetechBus } from '../feetech/bus';
export { feetechProtocol } from '../feetech/protocol';
export { type InputEvent, inputEventSchema, type TeleopSpace } from '../teleop/input-events';
export { InputTeleop } from '../teleop/input-teleop';
export { leaderFollowerTeleop } from '../teleop/leader-follower';
export { streamLeaderGoals } from '../teleop/leader-goal-source';
export { TeleopLoop } from '../teleop/teleop-loop';
export type { Teleoperator } from '../teleop/teleoperator';
export { IdealMotorBackend, type MotorBackend } from '../virtual/servo-bus/motor-backend';
export { SimMotorBackend } from '../virtual/servo-bus/sim-backend';
export { type FaultInjection, VirtualServoBus } from '../virtual/servo-bus/virtual-servo-bus';
export { startVirtualSo101, virtualSo101Calibration } from '../virtual/servo-bus/virtual-so101';
export { BusError, PERMISSION_FIX } from './errors';
export { checkPortAccess, listPorts, type PortInfo } from './ports';
export { ServoBus, type ServoBusOptions } from './servo-bus';
