# cnn: the baseline CNN of most Fashion-MNIST studies (225,034 parameters); test 0.9156 in Keras.
# Variants studied: kernel=7 for the first conv, activation=sigmoid, --set optimizer=sgd.
let kernel = 3
let activation = relu

input 28x28x1
conv2d 32 $kernel $activation
maxpool 2
dropout 0.25
conv2d 64 3x3 $activation
maxpool 2
dropout 0.25
flatten
dense 128 $activation
dropout 0.5
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 128
  epochs 10
  validation 0.1
