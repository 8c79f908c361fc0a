export { KinematicRobot, SO101_LIMITS } from './kinematic-robot';
export {
  DEFAULT_ROBOT_ROS_NAMES,
  type RobotRosNames,
  RobotRosNode,
  type RobotRosNodeOptions,
} from './robot-ros-node';
export { RosbridgeServer, type RosbridgeServerOptions } from './rosbridge-server';
export { type RobotRosServer, serveRobotOverRos } from './serve-robot';
