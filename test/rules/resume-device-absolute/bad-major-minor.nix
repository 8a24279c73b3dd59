{ ... }:
{
  boot.resumeDevice = "8:3";
#                     ^^^^^ resume-device-absolute
}
