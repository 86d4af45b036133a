<?php

declare(strict_types=1);

use App\Events\OrderShipped;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Auth;
use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Route;

Route::get('/login', fn () => app_login_page('laravel'));

Route::post('/login', function (Request $request) {
    $user = app_user(DB::connection()->getPdo(), (string) $request->input('name'));
    if ($user === null) {
        return app_login_page('laravel', 'unknown user');
    }
    Auth::loginUsingId($user[0]);
    $request->session()->regenerate();
    return redirect('/', 303);
});

Route::get('/', function () {
    $user = Auth::user();
    return $user === null ? redirect('/login', 303) : app_page('laravel', (int) $user->id, $user->name);
});

Route::post('/ship', function (Request $request) {
    abort_if(Auth::guest(), 401);
    $n = $request->session()->increment('shipped');
    broadcast(new OrderShipped((int) Auth::id(), "order $n shipped"));
    return ['shipped' => $n];
});

Route::post('/logout', function (Request $request) {
    abort_if(Auth::guest(), 401);
    Auth::logout(); // the event-hub provider revokes the session id on the hub
    $request->session()->invalidate();
    return ['loggedOut' => true];
});
