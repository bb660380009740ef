PKG_CFLAGS := -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600 -I/usr/include/x86_64-linux-gnu -I/usr/include/cjson 
PKG_LIBS := -lncursesw -ltinfo -lformw -lmenuw -lpanelw -lcurl -lcjson -lssh2 -lsodium -lcrypto 
