// The build of Bottleneck without clustering that @octokit/plugin-throttling itself loads; its types are
// those of the full build.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
