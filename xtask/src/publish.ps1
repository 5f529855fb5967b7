# `cargo xtask package`'s last step: Publish-PSResource of the assembled module into a local file
# repository. xtask sets EXOKIT_PUBLISH_MODULE, EXOKIT_PUBLISH_REPOSITORY and a private
# XDG_DATA_HOME/LOCALAPPDATA, so the repository registration below stays in the build output.
$ErrorActionPreference = 'Stop'
$module = $env:EXOKIT_PUBLISH_MODULE
$repository = $env:EXOKIT_PUBLISH_REPOSITORY
Test-ModuleManifest -Path (Join-Path $module 'ExoKit.psd1') | Out-Null
Register-PSResourceRepository -Name ExoKitBuild -Uri $repository -Trusted -Force
try {
    Publish-PSResource -Path $module -Repository ExoKitBuild -SkipDependenciesCheck
} finally {
    Unregister-PSResourceRepository -Name ExoKitBuild
}
