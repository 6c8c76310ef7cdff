console.log('leakguard');
