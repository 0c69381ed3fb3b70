// The simulated board's `image` module, JavaScript side (docs/simulated-image.md): `_image` for the
// VM, an image as an OSD layer, the display's composition and the camera's picture.
export { imageModule } from './module';
export { imageLayer, type LayerPixels } from './layer';
export { composeDisplay, type DisplayLayer, type VideoPicture } from './compose';
export { cameraPicture } from './camera';
export { BUDGET_BYTES, imageBytesInUse } from './storage';
