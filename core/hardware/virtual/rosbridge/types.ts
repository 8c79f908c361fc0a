import { canonicalType } from '../../ros/messages';

/**
 * The ROS interface types this server knows. A real rosbridge imports message classes from the
 * ROS installation; here the set is fixed (plus `extraTypes` given to the server), and anything
 * else is answered with a status error naming the type.
 */
export const KNOWN_MESSAGES = [
  'std_msgs/msg/String',
  'std_msgs/msg/Bool',
  'std_msgs/msg/Float64',
  'std_msgs/msg/Float64MultiArray',
  'std_msgs/msg/Empty',
  'std_msgs/msg/Header',
  'sensor_msgs/msg/JointState',
  'sensor_msgs/msg/Image',
  'sensor_msgs/msg/CompressedImage',
  'trajectory_msgs/msg/JointTrajectory',
  'geometry_msgs/msg/Twist',
  'action_msgs/msg/GoalStatusArray',
];

export const KNOWN_SERVICES = [
  'std_srvs/srv/Trigger',
  'std_srvs/srv/Empty',
  'std_srvs/srv/SetBool',
  'rosapi/srv/Topics',
  'rosapi/srv/TopicType',
  'rosapi/srv/Services',
  'rosapi/srv/ActionServers',
];

export const KNOWN_ACTIONS = [
  'control_msgs/action/FollowJointTrajectory',
  'control_msgs/action/GripperCommand',
];

export class TypeRegistry {
  private readonly sets: Record<'msg' | 'srv' | 'action', Set<string>>;

  constructor(extra: { messages?: string[]; services?: string[]; actions?: string[] } = {}) {
    this.sets = {
      msg: new Set([...KNOWN_MESSAGES, ...(extra.messages ?? []).map((t) => canonicalType(t, 'msg'))]),
      srv: new Set([...KNOWN_SERVICES, ...(extra.services ?? []).map((t) => canonicalType(t, 'srv'))]),
      action: new Set([...KNOWN_ACTIONS, ...(extra.actions ?? []).map((t) => canonicalType(t, 'action'))]),
    };
  }

  /** The canonical name of a known type, or null. */
  resolve(type: unknown, kind: 'msg' | 'srv' | 'action'): string | null {
    if (typeof type !== 'string' || type.length === 0 || type.length > 256) return null;
    const c = canonicalType(type, kind);
    return this.sets[kind].has(c) ? c : null;
  }
}
