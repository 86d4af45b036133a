<?php

// Into PHP's error log, which is Apache's: a failing test shows it.
return [
    'default' => 'errorlog',
    'channels' => ['errorlog' => ['driver' => 'errorlog', 'level' => 'debug']],
];
