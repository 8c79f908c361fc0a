export { BACKGROUND_RGB, type MujocoModule, RayCamera } from './ray-camera';
