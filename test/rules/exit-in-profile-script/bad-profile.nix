# test: release 25.11
{ ... }:
{
  boot.initrd.network.postCommands = ''
    echo "zfs load-key -a; killall zfs; exit" >> /root/.profile
#        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ exit-in-profile-script
    echo "cryptsetup-askpass || echo failed && exit" >> /root/.profile
#        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ exit-in-profile-script
  '';
}
