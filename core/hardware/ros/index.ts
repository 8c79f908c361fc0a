export {
  type RosCameraConfig,
  type RosCommandConfig,
  type RosRobotConfig,
  rosPresets,
  validateRosConfig,
} from './config';
export { decodeCompressedImage, decodeRawImage } from './image-decode';
export { decodePng, encodePng } from './png';
export {
  type FollowResult,
  type RosPresence,
  RosRobot,
  type RosRobotEvents,
  type TrajectoryWaypoint,
} from './ros-robot';
export type { TopicStat } from './topic-stats';
export { type GripperRange, JointUnits, SO101_GRIPPER_RANGE } from './units';
